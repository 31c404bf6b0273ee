import { describe, expect, it } from 'vitest';
import { serverOnThisMachine } from '../../src/ops/source-host.js';

describe('serverOnThisMachine', () => {
  it.each([
    'postgres://u:p@127.0.0.1:5432/db',
    'postgresql://localhost/db',
    'postgres://u@[::1]:5433/db',
    'postgres:///db',
    'postgres://u@/db?host=/var/run/postgresql',
    'postgres://u@%2Fvar%2Frun%2Fpostgresql/db',
    'mongodb://127.0.0.1:27017,localhost:27018/?replicaSet=rs0',
    'mongodb://u:p%40ss@127.0.0.2:27017/admin',
  ])('%s is on this machine', (url) => {
    expect(serverOnThisMachine(url)).toBe(true);
  });

  it.each([
    'postgres://u:p@db.example.com:5432/db',
    'postgres://u@10.0.0.5/db',
    'mongodb://127.0.0.1:27017,db2.example.com:27017/',
    'mongodb+srv://cluster0.example.net/',
    'not a url',
    'postgres://u:p@localhost.example.com/db',
  ])('%s is not', (url) => {
    expect(serverOnThisMachine(url)).toBe(false);
  });
});
