import { describe, expect, it } from 'vitest';
import { NamespaceFilter } from '../../src/engines/mongodb/namespace-filter.js';
import { followsNamespace, oplogReadMode } from '../../src/engines/mongodb/oplog-feed.js';
import {
  compareOplogPositions,
  formatOplogPosition,
  parseOplogPosition,
} from '../../src/engines/mongodb/oplog-position.js';
import { newFeedId } from '../../src/ops/follow.js';

describe('MongoDB follow without a server', () => {
  it('reads and orders oplog positions numerically, not as text', () => {
    expect(formatOplogPosition(parseOplogPosition('1700000000:5'))).toBe('1700000000:5');
    expect(compareOplogPositions('1700000000:10', '1700000000:9')).toBeGreaterThan(0);
    expect(compareOplogPositions('999999999:99', '1700000000:1')).toBeLessThan(0);
    expect(compareOplogPositions('4294967295:1', '4294967295:1')).toBe(0);
    for (const bad of ['1700000000', 'a:b', '1:2:3', '4294967296:0', '']) {
      expect(() => parseOplogPosition(bad), bad).toThrow(/is not an oplog timestamp/);
    }
  });

  it('polls on FerretDB, where a tailable cursor sees no new entries, and tails elsewhere', () => {
    expect(oplogReadMode({ ferretdb: '1.24.2' })).toBe('poll');
    expect(oplogReadMode({})).toBe('tail');
  });

  it('keeps the followed databases, commands included, and never system or internal namespaces', () => {
    const all = new NamespaceFilter(undefined, undefined);
    expect(followsNamespace('shop.orders', ['shop'], all)).toBe(true);
    expect(followsNamespace('shop.$cmd', ['shop'], all)).toBe(true);
    expect(followsNamespace('other.orders', ['shop'], all)).toBe(false);
    expect(followsNamespace('shop.system.profile', ['shop'], all)).toBe(false);
    expect(followsNamespace('any.thing', undefined, all)).toBe(true);
    expect(followsNamespace('config.system.sessions', undefined, all)).toBe(false);
    expect(followsNamespace('local.oplog.rs', undefined, all)).toBe(false);
    const some = new NamespaceFilter(['shop.orders'], undefined);
    expect(followsNamespace('shop.orders', ['shop'], some)).toBe(true);
    expect(followsNamespace('shop.logs', ['shop'], some)).toBe(false);
  });

  it('names feeds within what PostgreSQL slot names allow', () => {
    const id = newFeedId('My-Shop.Database with a very long name', new Date(Date.UTC(2026, 11, 1, 12, 0, 5)));
    expect(id).toMatch(/^[a-z0-9_]{1,40}$/);
    expect(id).toBe('stowage_my-shop.database_20261201120005'.replace(/[-.]/g, '_'));
  });
});
