import { Readable } from 'node:stream';
import { BSON } from 'bson';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchPool } from '../../src/engines/mongodb/batch-pool.js';
import { loadStream } from '../../src/engines/mongodb/collection-load.js';
import { RawInserter } from '../../src/engines/mongodb/raw-insert.js';
import { uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { readRaw } from './support/engine.js';

// The loader hands each archive chunk back for reuse once its documents are
// copied into batches. Handing it back too early would send whatever the
// archive decompresses into it next: the chunks here are overwritten the moment
// they come back, so any document still read from one arrives damaged.

const db = uniqueMongoDbName('load');
afterAll(() => withMongoClient((client) => client.db(db).dropDatabase()));

const DOCUMENTS = 3000;
const CHUNK_BYTES = 16 * 1024;

describe('loading a stream', () => {
  it('hands every chunk back once its documents are copied, and inserts them intact', async () => {
    const docs = Array.from({ length: DOCUMENTS }, (_, i) =>
      Buffer.from(BSON.serialize({ _id: i, text: `document ${i} `.repeat(1 + (i % 13)) })),
    );
    const bytes = Buffer.concat(docs);
    // Chunks of their own (as archive frames are), cut across documents.
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES)
      chunks.push(Buffer.from(bytes.subarray(at, at + CHUNK_BYTES)));
    const handedBack = new Set<Buffer>();
    const recycle = (chunk: Buffer) => {
      handedBack.add(chunk);
      chunk.fill(0xee);
    };

    await withMongoClient(async (client) => {
      const report = await loadStream(
        new RawInserter(client, db, 'docs', { ordered: false }),
        Readable.from(chunks),
        {
          streamName: 'docs',
          namespace: `${db}.docs`,
          batches: new BatchPool(16 * 1024, 64 * 1024),
          batchDocuments: 1000,
          maxDocumentBytes: 16 * 1024 * 1024,
          workers: 2,
          stopOnError: true,
          recycle,
        },
      );
      expect(report.inserted).toBe(DOCUMENTS);
      const stored = await readRaw(client, db, 'docs');
      expect(stored.length).toBe(DOCUMENTS);
      expect(Buffer.concat(stored).equals(bytes)).toBe(true);
    });
    // Every chunk comes back (the last one too: nothing refers to it once the stream has ended).
    expect([...handedBack].length).toBe(chunks.length);
    for (const chunk of chunks) expect(handedBack.has(chunk)).toBe(true);
  });
});
