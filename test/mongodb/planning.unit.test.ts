import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { rangesFromBoundaries } from '../../src/engines/mongodb/id-ranges.js';
import { OPLOG_STREAM, StreamNamer } from '../../src/engines/mongodb/stream-names.js';

describe('_id ranges', () => {
  it('the first range is "not ≥ first boundary", so _ids of other types land there', () => {
    const a = new ObjectId('000000000000000000000001');
    const b = new ObjectId('000000000000000000000002');
    expect(rangesFromBoundaries([a, b])).toEqual([
      { _id: { $not: { $gte: a } } },
      { _id: { $gte: a, $lt: b } },
      { _id: { $gte: b } },
    ]);
  });
});

describe('stream names', () => {
  it('are the namespace, then numbered slices, never the oplog name, never twice', () => {
    const namer = new StreamNamer();
    expect(namer.next('shop.orders')).toBe('shop.orders');
    expect(namer.next('shop.orders', 1)).toBe('shop.orders$1');
    expect(namer.next('shop.orders', 1)).toBe('shop.orders$1~1');
    expect(namer.next('shop.orders')).toBe('shop.orders$0~1');
    expect(OPLOG_STREAM).toBe('$oplog');
  });
});
