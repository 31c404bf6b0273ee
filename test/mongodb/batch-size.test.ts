// Batches sized by bytes when the server gave no collection size: FerretDB is
// read with counts only (collStats there measures the whole database on every
// call), so the first batch is a small probe and the reader sizes the rest
// from the documents it saw. Without that, a default document count times big
// documents gave 16 MiB batches: eight times the memory a batch should hold.
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBatchReader } from '../../src/engines/mongodb/raw-batches.js';
import { uniqueMongoDbName, withMongoClient } from '../support/mongo.js';

const db = uniqueMongoDbName('batch_size');
const DOC_BYTES = 64 * 1024;
const DOCS = 200;
const TARGET = 1024 * 1024;

beforeAll(async () => {
  await withMongoClient(async (client) => {
    const docs = Array.from({ length: DOCS }, (_, i) => ({ _id: i, pad: 'x'.repeat(DOC_BYTES) }));
    for (let i = 0; i < DOCS; i += 50)
      await client
        .db(db)
        .collection('big')
        .insertMany(docs.slice(i, i + 50) as Document[]);
  });
}, 120_000);

afterAll(async () => {
  await withMongoClient((client) => client.db(db).dropDatabase()).catch(() => {});
});

describe('batches of a collection of unknown size', () => {
  it('stay near the target size after the first, and read every document', async () => {
    const sizes: number[] = [];
    let documents = 0;
    await withMongoClient(async (client) => {
      const reader = openBatchReader(
        client,
        { db, collection: 'big', filter: {}, batchSize: 4, targetBytes: TARGET, natural: false },
        'standalone',
      );
      try {
        for (let batch = await reader.next(); batch; batch = await reader.next()) {
          documents += batch.length;
          sizes.push(batch.reduce((n, d) => n + d.byteLength, 0));
        }
      } finally {
        await reader.close();
      }
    });
    expect(documents).toBe(DOCS);
    // The first batch is the probe (4 documents); every later one holds about TARGET bytes, never
    // the 16 MiB a fixed count of these documents would.
    expect(sizes[0]).toBeLessThan(5 * (DOC_BYTES + 100));
    for (const size of sizes.slice(1, -1)) {
      expect(size).toBeGreaterThan(TARGET / 2);
      expect(size).toBeLessThanOrEqual(TARGET + DOC_BYTES + 1024);
    }
    expect(sizes.length).toBeGreaterThan(DOCS / (TARGET / DOC_BYTES));
  });
});
