import type { Document } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/engines/mongodb/introspect.js';
import { NamespaceFilter } from '../../src/engines/mongodb/namespace-filter.js';
import { uniqueMongoDbName, withMongoClient } from '../support/mongo.js';

// The catalog of many collections, read concurrently: every collection keeps
// its own indexes and counts, in listCollections order, whichever size source is used.

const dbName = uniqueMongoDbName('catalog');
afterAll(async () => {
  await withMongoClient((client) => client.db(dbName).dropDatabase());
});

describe('MongoDB catalog of many collections', () => {
  it('reads each collection’s indexes and count, concurrently, with collStats or counts only', async () => {
    await withMongoClient(async (client) => {
      const db = client.db(dbName);
      for (let i = 0; i < 12; i++) {
        const name = `c${i}`;
        await db.createCollection(name);
        if (i > 0)
          await db
            .collection(name)
            .insertMany(Array.from({ length: i }, (_, n) => ({ _id: n, [`f${i}`]: n }) as Document));
        await db.collection(name).createIndex({ [`f${i}`]: 1 }, { name: `idx_${i}` });
      }
      const filter = new NamespaceFilter(undefined, undefined);
      const byStats = await readCatalog(client, [dbName], filter, { concurrency: 4 });
      const byCount = await readCatalog(client, [dbName], filter, { concurrency: 4, countBeyond: 0 });
      for (const catalog of [byStats, byCount]) {
        expect(catalog.collections.map((c) => c.name).sort()).toEqual(
          Array.from({ length: 12 }, (_, i) => `c${i}`).sort(),
        );
        for (const c of catalog.collections) {
          const i = Number(c.name.slice(1));
          expect(c.indexes.map((x) => x.name).sort()).toEqual(['_id_', `idx_${i}`]);
          expect(c.estimatedDocuments).toBe(i);
        }
      }
      // Counts only: no byte estimate, rather than a made-up one.
      expect(byCount.collections.every((c) => c.estimatedBytes === undefined)).toBe(true);
      expect(byStats.collections.some((c) => (c.estimatedBytes ?? 0) > 0)).toBe(true);
      // The limit is per database: at 12 collections collStats, past it counts.
      const atLimit = await readCatalog(client, [dbName], filter, { countBeyond: 12 });
      const pastLimit = await readCatalog(client, [dbName], filter, { countBeyond: 11 });
      expect(atLimit.collections.some((c) => (c.estimatedBytes ?? 0) > 0)).toBe(true);
      expect(pastLimit.collections.every((c) => c.estimatedBytes === undefined)).toBe(true);
      // Same order as listCollections reports them, whatever order the reads finish in.
      expect(byCount.collections.map((c) => c.name)).toEqual(byStats.collections.map((c) => c.name));
      // A count stopped at 5 documents sizes c0-c4 alone (exact, no bytes); the rest still get collStats.
      const smallFirst = await readCatalog(client, [dbName], filter, { exactBelow: 5 });
      expect(smallFirst.collections.map((c) => c.name)).toEqual(byStats.collections.map((c) => c.name));
      for (const c of smallFirst.collections) {
        const i = Number(c.name.slice(1));
        expect(c.indexes.map((x) => x.name).sort()).toEqual(['_id_', `idx_${i}`]);
        expect(c.estimatedDocuments).toBe(i);
        if (i < 5) expect(c.estimatedBytes).toBeUndefined();
        else expect(c.estimatedBytes).toBeGreaterThan(0);
      }
    });
  });
});
