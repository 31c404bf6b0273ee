import { describe, expect, it } from 'vitest';
import { ItemSplitter } from '../../src/ops/item-digest.js';
import { bsonDocuments } from './make-archive.js';

/** Feeds `data` in pieces of `step` bytes and returns the digest and count. */
function digest(engine: 'postgres' | 'mongodb', data: Buffer, step = 7) {
  const splitter = new ItemSplitter(engine);
  for (let i = 0; i < data.length; i += step) splitter.push(data.subarray(i, i + step));
  const problem = splitter.end();
  return { hex: splitter.digest.hex(), count: splitter.digest.count, problem };
}

/** A binary COPY stream: signature, flags, extension length, tuples of int4 fields, trailer. */
function pgBinary(rows: number[][]): Buffer {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const row of rows) {
    const head = Buffer.alloc(2);
    head.writeInt16BE(row.length);
    parts.push(head);
    for (const v of row) {
      const field = Buffer.alloc(8);
      field.writeInt32BE(4, 0);
      field.writeInt32BE(v, 4);
      parts.push(field);
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

describe('order-independent content digests', () => {
  it('splits BSON documents and ignores their order', () => {
    const a = bsonDocuments(50);
    const docs = Array.from({ length: 50 }, (_, i) => a.subarray(i * 12, i * 12 + 12));
    const shuffled = Buffer.concat([...docs].reverse());
    expect(digest('mongodb', a)).toEqual({ ...digest('mongodb', shuffled, 13), problem: undefined });
    expect(digest('mongodb', a).count).toBe(50);
    // A duplicated or changed document is a different multiset.
    expect(digest('mongodb', Buffer.concat([a, docs[3]!])).hex).not.toBe(digest('mongodb', a).hex);
    expect(digest('mongodb', bsonDocuments(50, 1)).hex).not.toBe(digest('mongodb', a).hex);
    expect(digest('mongodb', a.subarray(0, 100)).problem).toMatch(/trailing bytes/);
  });

  it('splits binary and text COPY rows', () => {
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const one = digest('postgres', pgBinary(rows), 5);
    expect(one.count).toBe(3);
    expect(one.hex).toBe(digest('postgres', pgBinary([...rows].reverse()), 3).hex);
    expect(one.hex).not.toBe(
      digest(
        'postgres',
        pgBinary([
          [1, 2],
          [3, 4],
          [5, 7],
        ]),
      ).hex,
    );
    const text = digest('postgres', Buffer.from('1\tanna\n2\tbo\\nb\n3\t\\N\n'));
    expect(text.count).toBe(3);
    expect(text.hex).toBe(digest('postgres', Buffer.from('3\t\\N\n1\tanna\n2\tbo\\nb\n')).hex);
  });
});
