import { BSON } from 'bson';
import { afterAll, describe, expect, it } from 'vitest';
import { InsertBatch } from '../../src/engines/mongodb/insert-batch.js';
import {
  documentSequenceClass,
  RawInserter,
  sectionSequenceClass,
} from '../../src/engines/mongodb/raw-insert.js';
import { EXACT_BSON_OPTIONS } from '../../src/engines/mongodb/schema.js';
import { uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { BSON_CASES, caseDocument } from './support/bson-cases.js';
import { readRaw, serverSupports } from './support/engine.js';

// Restore sends documents as the exact bytes of the backup, through the
// driver's document-sequence support. These tests pin that down: if a driver
// upgrade removes it, they fail loudly instead of restores silently decoding.

const db = uniqueMongoDbName('rawins');

/** The documents copied into one batch, as a restore fills it. */
function batchOf(docs: Uint8Array[]): InsertBatch {
  const batch = new InsertBatch(docs.reduce((n, d) => n + d.length, 0));
  for (const d of docs) batch.append(d);
  return batch;
}

/** Cases a js-bson decode/encode changes, even with every type-preserving option on. */
const LOSSY_IN_JS = ['date: epoch, before 1970, far future, extremes', 'DBPointer', 'undefined'];
afterAll(() => withMongoClient((client) => client.db(db).dropDatabase()));

describe('raw inserts', () => {
  it('the installed driver can send raw BSON (DocumentSequence is there)', () => {
    expect(documentSequenceClass()).not.toBeNull();
  });

  it("the installed driver takes a batch's finished section as it is (no copy into a section of its own)", () => {
    expect(sectionSequenceClass()).not.toBeNull();
  });

  it('a batch inserts every document, in order, byte for byte; and can be filled again', async () => {
    const docs = BSON_CASES.flatMap((c, i) => (!c.needs || serverSupports(c.needs) ? [caseDocument(i)] : []));
    await withMongoClient(async (client) => {
      const inserter = new RawInserter(client, db, 'batch', { ordered: false });
      expect(inserter.exact).toBe(true);
      const batch = batchOf(docs.slice(0, 3));
      expect(await inserter.insert(batch)).toEqual({ inserted: 3, writeErrors: [] });
      batch.clear();
      const rest = batchOf(docs.slice(3));
      expect(await inserter.insert(rest)).toEqual({ inserted: docs.length - 3, writeErrors: [] });
      expect(Buffer.concat(await readRaw(client, db, 'batch')).equals(Buffer.concat(docs))).toBe(true);
    });
  });

  it('per-document errors carry their index within the batch', async () => {
    const { doc, e } = await import('./support/bson-builder.js');
    const a = doc(e.int32('_id', 1));
    const b = doc(e.int32('_id', 2));
    await withMongoClient(async (client) => {
      const inserter = new RawInserter(client, db, 'errs', { ordered: false });
      const result = await inserter.insert(batchOf([a, b, a, b]));
      expect(result.inserted).toBe(2);
      expect(result.writeErrors.map((w) => [w.index, w.code])).toEqual([
        [2, 11000],
        [3, 11000],
      ]);
    });
  });

  it('the decode/encode fallback keeps every other type the server supports', async () => {
    const docs = BSON_CASES.flatMap((c, i) =>
      (!c.needs || serverSupports(c.needs)) && !LOSSY_IN_JS.includes(c.name) ? [caseDocument(i)] : [],
    );
    await withMongoClient(async (client) => {
      const inserter = new RawInserter(client, db, 'decoded', { ordered: true, decoded: true });
      expect(inserter.exact).toBe(false);
      await inserter.insert(batchOf(docs));
      const back = await readRaw(client, db, 'decoded');
      back.forEach((d, i) => {
        expect(d.equals(docs[i]!), `case ${i}`).toBe(true);
      });
    });
  });
});

describe('why raw bytes matter', () => {
  it('a js-bson decode/encode round trip is not exact for every type, even with exact-type options', () => {
    // DBPointer becomes a DBRef document, Undefined becomes Null, dates outside
    // JavaScript's ±8.64e15 ms become Invalid Date and are written as 0.
    for (const name of LOSSY_IN_JS) {
      const index = BSON_CASES.findIndex((c) => c.name === name);
      const original = caseDocument(index);
      const again = Buffer.from(BSON.serialize(BSON.deserialize(original, EXACT_BSON_OPTIONS)));
      expect(again.equals(original), name).toBe(false);
    }
  });
});
