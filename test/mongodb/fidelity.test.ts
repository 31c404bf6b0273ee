import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { BSON_CASES, caseDocument, documentOfSize, everythingDocument } from './support/bson-cases.js';
import {
  backupToMemory,
  insertRaw,
  type MemoryBackup,
  readRaw,
  requireCapability,
  restoreFromMemory,
  serverSupports,
  streamBytes,
} from './support/engine.js';

// Server-level fidelity: exact BSON bytes go into the server, come out of a
// backup stream unchanged, and are restored unchanged. Cases the server cannot
// store are skipped with the reason printed; against real MongoDB
// (STOWAGE_TEST_MONGO_URL) nothing is skipped.

describe('every BSON type round-trips through backup and restore', () => {
  const source = uniqueMongoDbName('fid_src');
  const target = uniqueMongoDbName('fid_dst');
  const supported = (i: number) => !BSON_CASES[i]!.needs || serverSupports(BSON_CASES[i]!.needs!);
  let backup: MemoryBackup;

  beforeAll(async () => {
    await withMongoClient(async (client) => {
      for (let i = 0; i < BSON_CASES.length; i++) {
        if (supported(i)) await insertRaw(client, source, `case${i}`, [caseDocument(i)]);
      }
      await insertRaw(client, source, 'everything', [
        everythingDocument((c) => !c.needs || serverSupports(c.needs)),
      ]);
    });
    backup = await backupToMemory(mongoUrlFor(source));
    await restoreFromMemory(backup, mongoUrlFor(target));
  });

  afterAll(async () => {
    await withMongoClient(async (client) => {
      await client.db(source).dropDatabase();
      await client.db(target).dropDatabase();
    });
  });

  BSON_CASES.forEach((c, i) => {
    it(c.name, async (ctx) => {
      if (c.needs) requireCapability(ctx, c.needs, `stores ${c.name}`);
      const original = caseDocument(i);
      expect(streamBytes(backup.streams, `${source}.case${i}`).equals(original), 'backup stream bytes').toBe(
        true,
      );
      const restored = await withMongoClient((client) => readRaw(client, target, `case${i}`));
      expect(restored).toHaveLength(1);
      expect(restored[0]!.equals(original), 'restored document bytes').toBe(true);
    });
  });

  it('all supported types in one document', async () => {
    const original = everythingDocument((c) => !c.needs || serverSupports(c.needs));
    expect(streamBytes(backup.streams, `${source}.everything`).equals(original)).toBe(true);
    const [restored] = await withMongoClient((client) => readRaw(client, target, 'everything'));
    expect(restored!.equals(original)).toBe(true);
  });

  it('counts documents per stream', () => {
    const summary = backup.streams.list().find((s) => s.name === `${source}.everything`);
    expect(summary?.items).toBe(1);
  });
});

describe('16 MiB documents', () => {
  const source = uniqueMongoDbName('big_src');
  const target = uniqueMongoDbName('big_dst');

  afterAll(async () => {
    await withMongoClient(async (client) => {
      await client.db(source).dropDatabase();
      await client.db(target).dropDatabase();
    });
  });

  it('a document of exactly 16 MiB among small ones, byte for byte', async () => {
    const docs = [caseDocument(0), documentOfSize(5000, 16 * 1024 * 1024), documentOfSize(5001, 100)];
    await withMongoClient((client) => insertRaw(client, source, 'big', docs));
    const backup = await backupToMemory(mongoUrlFor(source));
    expect(streamBytes(backup.streams, `${source}.big`).equals(Buffer.concat(docs))).toBe(true);
    await restoreFromMemory(backup, mongoUrlFor(target));
    const restored = await withMongoClient((client) => readRaw(client, target, 'big'));
    expect(restored.map((d) => d.length)).toEqual(docs.map((d) => d.length));
    restored.forEach((d, i) => {
      expect(d.equals(docs[i]!)).toBe(true);
    });
  });
});
