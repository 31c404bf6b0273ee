import { Binary, Timestamp } from 'bson';
import { describe, expect, it } from 'vitest';
import { mapOplogEntry } from '../../src/engines/mongodb/oplog.js';
import { oplogEntryToWrites } from '../../src/engines/mongodb/oplog-writes.js';

// How captured oplog entries are rewritten for the restore target. Replaying
// them needs a replica set (see backup-restore.test.ts, "point in time"); the
// mapping itself is pure and tested here everywhere.

const ts = new Timestamp({ t: 1, i: 1 });
const ui = new Binary(Buffer.alloc(16), 4);
const map = (ns: string) => ({ 'shop.orders': 'copy.orders2', 'shop.users': 'shop.users' })[ns] ?? null;

describe('mapOplogEntry', () => {
  it('renames CRUD entries and drops the collection UUID', () => {
    const out = mapOplogEntry({ ts, op: 'i', ns: 'shop.orders', ui, o: { _id: 1 } }, map);
    expect(out).toEqual({ ts, op: 'i', ns: 'copy.orders2', o: { _id: 1 } });
    expect(
      mapOplogEntry({ ts, op: 'u', ns: 'shop.users', ui, o: { $set: { a: 1 } }, o2: { _id: 1 } }, map)?.ns,
    ).toBe('shop.users');
  });

  it('skips entries of namespaces that are not restored, and no-ops', () => {
    expect(mapOplogEntry({ ts, op: 'd', ns: 'shop.other', o: { _id: 1 } }, map)).toBeNull();
    expect(mapOplogEntry({ ts, op: 'n', ns: '', o: { msg: 'periodic noop' } }, map)).toBeNull();
  });

  it('rewrites collection commands to the target database and name', () => {
    const out = mapOplogEntry(
      { ts, op: 'c', ns: 'shop.$cmd', ui, o: { createIndexes: 'orders', v: 2, key: { a: 1 }, name: 'a_1' } },
      map,
    );
    expect(out).toEqual({
      ts,
      op: 'c',
      ns: 'copy.$cmd',
      o: { createIndexes: 'orders2', v: 2, key: { a: 1 }, name: 'a_1' },
    });
    expect(mapOplogEntry({ ts, op: 'c', ns: 'shop.$cmd', o: { drop: 'other' } }, map)).toBeNull();
    expect(mapOplogEntry({ ts, op: 'c', ns: 'shop.$cmd', o: { dropDatabase: 1 } }, map)).toBeNull();
  });

  it('renames both sides of renameCollection, or skips it', () => {
    expect(
      mapOplogEntry(
        { ts, op: 'c', ns: 'admin.$cmd', o: { renameCollection: 'shop.orders', to: 'shop.users' } },
        map,
      )?.o,
    ).toEqual({
      renameCollection: 'copy.orders2',
      to: 'shop.users',
    });
    expect(
      mapOplogEntry(
        { ts, op: 'c', ns: 'admin.$cmd', o: { renameCollection: 'shop.orders', to: 'shop.x' } },
        map,
      ),
    ).toBeNull();
  });

  it('filters the operations inside a transaction', () => {
    const out = mapOplogEntry(
      {
        ts,
        op: 'c',
        ns: 'admin.$cmd',
        o: {
          applyOps: [
            { op: 'i', ns: 'shop.orders', ui, o: { _id: 1 } },
            { op: 'i', ns: 'shop.other', ui, o: { _id: 2 } },
          ],
        },
      },
      map,
    );
    expect(out?.o).toEqual({ applyOps: [{ op: 'i', ns: 'copy.orders2', o: { _id: 1 } }] });
    expect(
      mapOplogEntry({ ts, op: 'c', ns: 'admin.$cmd', o: { applyOps: [{ op: 'i', ns: 'x.y', o: {} }] } }, map),
    ).toBeNull();
  });
});

describe('oplogEntryToWrites (replay without applyOps)', () => {
  it('turns inserts into upserting replaces, so replaying one twice is harmless', () => {
    expect(oplogEntryToWrites({ ts, op: 'i', ns: 'shop.orders', o: { _id: 1, a: 2 } })).toEqual([
      {
        kind: 'document',
        db: 'shop',
        collection: 'orders',
        op: { replaceOne: { filter: { _id: 1 }, replacement: { _id: 1, a: 2 }, upsert: true } },
      },
    ]);
  });

  it('keeps $set/$unset updates (without $v) and whole-document replacements', () => {
    const [set] = oplogEntryToWrites({
      ts,
      op: 'u',
      ns: 'shop.a.b',
      o: { $v: 1, $set: { x: 1 }, $unset: { y: true } },
      o2: { _id: 7 },
    });
    expect(set).toEqual({
      kind: 'document',
      db: 'shop',
      collection: 'a.b',
      op: {
        updateOne: { filter: { _id: 7 }, update: { $set: { x: 1 }, $unset: { y: true } }, upsert: true },
      },
    });
    const [replace] = oplogEntryToWrites({ ts, op: 'u', ns: 'shop.a', o: { _id: 7, z: 1 }, o2: { _id: 7 } });
    expect(replace?.kind === 'document' && replace.op).toEqual({
      replaceOne: { filter: { _id: 7 }, replacement: { _id: 7, z: 1 }, upsert: true },
    });
  });

  it("replaces the document for FerretDB's updates, which log the whole new document as a $set with _id", () => {
    const [write] = oplogEntryToWrites({
      ts,
      op: 'u',
      ns: 'shop.a',
      o: { $v: 1, $set: { _id: 7, kept: 1 } },
      o2: { _id: 7 },
    });
    expect(write?.kind === 'document' && write.op).toEqual({
      replaceOne: { filter: { _id: 7 }, replacement: { _id: 7, kept: 1 }, upsert: true },
    });
  });

  it('refuses $v 2 update deltas with a clear error instead of guessing', () => {
    expect(() =>
      oplogEntryToWrites({ ts, op: 'u', ns: 'shop.a', o: { $v: 2, diff: { u: { x: 1 } } }, o2: { _id: 1 } }),
    ).toThrow(/needs the server's applyOps/);
  });

  it('flattens transactions and turns collection commands into commands', () => {
    const writes = oplogEntryToWrites({
      ts,
      op: 'c',
      ns: 'admin.$cmd',
      o: {
        applyOps: [
          { op: 'd', ns: 'shop.a', o: { _id: 1 } },
          { op: 'c', ns: 'shop.$cmd', o: { createIndexes: 'a', v: 2, key: { k: 1 }, name: 'k_1' } },
        ],
      },
    });
    expect(writes).toEqual([
      { kind: 'document', db: 'shop', collection: 'a', op: { deleteOne: { filter: { _id: 1 } } } },
      {
        kind: 'command',
        db: 'shop',
        command: { createIndexes: 'a', indexes: [{ v: 2, key: { k: 1 }, name: 'k_1' }] },
      },
    ]);
    expect(oplogEntryToWrites({ ts, op: 'n', ns: '', o: {} })).toEqual([]);
  });
});
