import { describe, expect, it } from 'vitest';
import { seedHosts } from '../../src/engines/mongodb/refused-fast.js';

describe('seedHosts: the hosts the refusal probe tries', () => {
  it('reads hosts, ports (27017 by default), IPv6 and credentials', () => {
    expect(seedHosts('mongodb://db')).toEqual([{ host: 'db', port: 27017 }]);
    expect(seedHosts('mongodb://u:p%40ss@a:1,b,[::1]:3/shop?replicaSet=rs')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 27017 },
      { host: '::1', port: 3 },
    ]);
  });
  it('leaves to the driver what a TCP connection cannot stand for', () => {
    expect(seedHosts('mongodb+srv://cluster.example.com/shop')).toBeUndefined();
    expect(seedHosts('mongodb://db/shop?proxyHost=socks&proxyPort=1080')).toBeUndefined();
    expect(seedHosts('mongodb://%2Ftmp%2Fmongodb-27017.sock/shop')).toBeUndefined();
    expect(seedHosts('mongodb://db:notaport/shop')).toBeUndefined();
  });
});
