import { BSON, Db, type Document, ObjectId } from 'mongodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MongoSchema } from '../../src/engines/mongodb/schema.js';
import { toEjson } from '../../src/engines/mongodb/schema.js';
import { UsageError } from '../../src/errors.js';
import {
  isFerretDB,
  type MongoFeature,
  mongoCapabilitiesNow,
  mongoUrlFor,
  skipOnFerretDB,
  skipUnlessMongoSupports,
  uniqueMongoDbName,
  withMongoClient,
} from '../support/mongo.js';
import { mongoUrl } from '../support/servers.js';
import {
  backupToMemory,
  collectionStreams,
  readRaw,
  restoreFromMemory,
  streamBytes,
} from './support/engine.js';

// Backup and restore of whole databases against the real test server:
// collection options, indexes, views, filters, renames, --drop, splitting.

const created: string[] = [];
const dbName = (prefix: string) => {
  const name = uniqueMongoDbName(prefix);
  created.push(name);
  return name;
};

afterAll(async () => {
  await withMongoClient(async (client) => {
    for (const name of created) await client.db(name).dropDatabase();
  });
});

/** What a collection looks like to a user: options and indexes, as canonical EJSON (exact types). */
async function describeDb(db: Db): Promise<Record<string, Document>> {
  const out: Record<string, Document> = {};
  const infos = await db
    .listCollections({}, { promoteValues: false, promoteLongs: false, bsonRegExp: true })
    .toArray();
  for (const info of infos) {
    const name = String(info.name);
    if (name.startsWith('system.')) continue;
    const entry: Document = { type: info.type, options: toEjson((info as Document).options ?? {}) };
    if (info.type !== 'view') {
      const indexes = await db
        .collection(name)
        .listIndexes({ promoteValues: false, promoteLongs: false, bsonRegExp: true } as Document)
        .toArray();
      entry.indexes = indexes
        .map((i) => toEjson(i))
        .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    }
    out[name] = entry;
  }
  return out;
}

async function seedDocs(
  db: Db,
  collection: string,
  n: number,
  shape: (i: number) => Document = (i) => ({ _id: i, v: i }),
) {
  const docs = Array.from({ length: n }, (_, i) => shape(i));
  for (let i = 0; i < docs.length; i += 1000)
    await db.collection(collection).insertMany(docs.slice(i, i + 1000));
}

describe('collection options and indexes', () => {
  // Each feature: how to set it up; skipped (with the reason) where the server lacks it.
  const features: { name: string; needs?: MongoFeature; setup: (db: Db) => Promise<unknown> }[] = [
    {
      name: 'capped collection (size and max)',
      needs: 'cappedCollections',
      setup: (db) => db.createCollection('capped', { capped: true, size: 65536, max: 50 }),
    },
    {
      name: 'unique, compound and descending indexes',
      needs: 'uniqueIndexes',
      setup: async (db) => {
        await db.collection('plain').createIndex({ a: 1 }, { unique: true });
        await db.collection('plain').createIndex({ b: 1, c: -1 }, { name: 'b_c' });
        await db.collection('plain').createIndex({ d: -1 });
      },
    },
    {
      name: 'validator with level and action',
      needs: 'validators',
      setup: (db) =>
        db.createCollection('validated', {
          validator: {
            $jsonSchema: {
              bsonType: 'object',
              required: ['name'],
              properties: { n: { bsonType: 'int', minimum: 1 } },
            },
          },
          validationLevel: 'moderate',
          validationAction: 'warn',
        }),
    },
    {
      name: 'collection collation',
      needs: 'collation',
      setup: (db) => db.createCollection('collated', { collation: { locale: 'fr', strength: 2 } }),
    },
    {
      name: 'clustered collection',
      needs: 'clusteredCollections',
      setup: (db) =>
        db.createCollection('clustered', {
          clusteredIndex: { key: { _id: 1 }, unique: true, name: 'by_id' },
        }),
    },
    {
      name: 'time series collection',
      needs: 'timeseries',
      setup: async (db) => {
        await db.createCollection('metrics', {
          timeseries: { timeField: 't', metaField: 'm', granularity: 'minutes' },
        });
        await db.collection('metrics').insertMany(
          Array.from({ length: 20 }, (_, i) => ({
            t: new Date(1_700_000_000_000 + i * 60_000),
            m: { s: i % 3 },
            v: i,
          })),
        );
      },
    },
    {
      name: 'sparse index',
      needs: 'sparseIndexes',
      setup: (db) => db.collection('sparse').createIndex({ s: 1 }, { sparse: true }),
    },
    {
      name: 'text index with weights and language',
      needs: 'textIndexes',
      setup: (db) =>
        db
          .collection('texts')
          .createIndex(
            { title: 'text', body: 'text' },
            { weights: { title: 10 }, default_language: 'french', name: 'txt' },
          ),
    },
    {
      name: '2dsphere index',
      needs: 'geoIndexes',
      setup: (db) => db.collection('places').createIndex({ loc: '2dsphere' }),
    },
    {
      name: 'hashed index',
      needs: 'hashedIndexes',
      setup: (db) => db.collection('hashed').createIndex({ h: 'hashed' }),
    },
    {
      name: 'TTL index',
      needs: 'ttlIndexes',
      setup: (db) => db.collection('sessions').createIndex({ at: 1 }, { expireAfterSeconds: 3600 }),
    },
    {
      name: 'partial index',
      needs: 'partialIndexes',
      setup: (db) =>
        db
          .collection('partial')
          .createIndex({ p: 1 }, { partialFilterExpression: { p: { $gt: 5 }, q: { $exists: true } } }),
    },
    {
      name: 'wildcard index',
      needs: 'wildcardIndexes',
      setup: (db) => db.collection('wild').createIndex({ 'attrs.$**': 1 }),
    },
    {
      name: 'index collation',
      needs: 'indexCollation',
      setup: (db) =>
        db.collection('icoll').createIndex({ name: 1 }, { collation: { locale: 'de', strength: 1 } }),
    },
    {
      name: 'hidden index',
      needs: 'uniqueIndexes',
      setup: async (db) => {
        skipIf(
          isFerretDB(),
          'FerretDB does not implement hidden indexes ("Index option "hidden" is not implemented yet")',
        );
        await db.collection('hidden').createIndex({ x: 1 }, { hidden: true });
      },
    },
    {
      name: 'change stream pre- and post-images option',
      needs: 'changeStreams',
      setup: (db) => db.createCollection('images', { changeStreamPreAndPostImages: { enabled: true } }),
    },
  ];

  class Skip extends Error {}
  const skipIf = (cond: boolean, why: string) => {
    if (cond) throw new Skip(why);
  };

  for (const feature of features) {
    it(`${feature.name} survive backup and restore exactly`, async (ctx) => {
      if (feature.needs) skipUnlessMongoSupports(ctx, feature.needs, feature.name);
      const source = dbName('opt_src');
      const target = dbName('opt_dst');
      await withMongoClient(async (client) => {
        try {
          await feature.setup(client.db(source));
        } catch (error) {
          if (error instanceof Skip) {
            console.warn(`[stowage-test] "${ctx.task.name}" skipped: ${error.message}`);
            ctx.skip(error.message);
          }
          throw error;
        }
        await client
          .db(source)
          .collection('marker')
          .insertOne({ _id: 1 } as Document);
      });
      const backup = await backupToMemory(mongoUrlFor(source));
      await restoreFromMemory(backup, mongoUrlFor(target));
      await withMongoClient(async (client) => {
        const before = await describeDb(client.db(source));
        const after = await describeDb(client.db(target));
        expect(after).toEqual(before);
      });
    });
  }
});

describe('small collections without options', () => {
  it('are created by their index build, one command fewer each, and restore the same', async () => {
    const source = dbName('implicit_src');
    const target = dbName('implicit_dst');
    await withMongoClient(async (client) => {
      const db = client.db(source);
      await seedDocs(db, 'indexed', 5, (i) => ({ _id: i, a: i, b: `b${i}` }));
      await db.collection('indexed').createIndex({ a: 1 }, { name: 'a_1', unique: true });
      await db.collection('indexed').createIndex({ b: -1 }, { name: 'b_-1' });
      await db.createCollection('indexed_empty');
      await db.collection('indexed_empty').createIndex({ a: 1 }, { name: 'a_1' });
      // Nothing else would create these two: they still need their own create.
      await db.createCollection('bare_empty');
      await seedDocs(db, 'bare', 3, (i) => ({ _id: i }));
    });
    const backup = await backupToMemory(mongoUrlFor(source));
    // Which collections the restore sends `create` for, seen on the driver's way out.
    const creates: string[] = [];
    const original = Db.prototype.command;
    const spy = vi.spyOn(Db.prototype, 'command').mockImplementation(function (this: Db, ...args) {
      const command = args[0] as Document;
      if (this.databaseName === target && command.create !== undefined) creates.push(String(command.create));
      return original.apply(this, args);
    });
    try {
      await restoreFromMemory(backup, mongoUrlFor(target));
    } finally {
      spy.mockRestore();
    }
    expect(creates.sort()).toEqual(['bare', 'bare_empty']);
    await withMongoClient(async (client) => {
      expect(await describeDb(client.db(target))).toEqual(await describeDb(client.db(source)));
      expect(await client.db(target).collection('indexed').countDocuments()).toBe(5);
    });
  });
});

describe('views', () => {
  it('are restored after their sources, including views on views, with their pipelines exact', async (ctx) => {
    skipUnlessMongoSupports(ctx, 'views');
    const source = dbName('view_src');
    const target = dbName('view_dst');
    await withMongoClient(async (client) => {
      const db = client.db(source);
      await seedDocs(db, 'people', 10, (i) => ({ _id: i, age: i * 10, name: `p${i}` }));
      // Created in an order where a view precedes the view it depends on alphabetically.
      await db.createCollection('a_adults_named', {
        viewOn: 'z_adults',
        pipeline: [{ $project: { name: 1 } }],
      });
      await db.createCollection('z_adults', {
        viewOn: 'people',
        pipeline: [{ $match: { age: { $gte: 18 } } }, { $sort: { age: -1 } }],
        collation: { locale: 'en' },
      });
    });
    const backup = await backupToMemory(mongoUrlFor(source));
    const schema = backup.result.schema as MongoSchema;
    expect(schema.databases[0]!.views.map((v) => v.name).sort()).toEqual(['a_adults_named', 'z_adults']);
    expect(collectionStreams(backup).map((s) => s.name)).toEqual([`${source}.people`]); // views hold no data
    await restoreFromMemory(backup, mongoUrlFor(target));
    await withMongoClient(async (client) => {
      expect(await describeDb(client.db(target))).toEqual(await describeDb(client.db(source)));
      expect(await client.db(target).collection('a_adults_named').countDocuments()).toBe(8);
    });
  });
});

describe('data', () => {
  it('restores every document of several collections, counts them, and reports progress', async () => {
    const source = dbName('data_src');
    const target = dbName('data_dst');
    await withMongoClient(async (client) => {
      const db = client.db(source);
      await seedDocs(db, 'big', 5000, (i) => ({
        _id: new ObjectId(),
        i,
        name: `name ${i}`,
        tags: ['a', 'b', String(i % 7)],
        nested: { when: new Date(1_600_000_000_000 + i), bin: new BSON.Binary(Buffer.alloc(i % 50, 1)) },
        pad: 'x'.repeat(i % 500),
      }));
      await seedDocs(db, 'small', 3);
      await db.createCollection('empty');
      await db.collection('empty').createIndex({ e: 1 });
    });
    const backup = await backupToMemory(mongoUrlFor(source), {}, 3);
    expect(Object.fromEntries(collectionStreams(backup).map((s) => [s.name, s.items]))).toEqual({
      [`${source}.big`]: 5000,
      [`${source}.small`]: 3,
      [`${source}.empty`]: 0,
    });
    const types = backup.events.map((e) => e.type);
    expect(types[0]).toBe('phase');
    expect(types).toContain('plan');
    const done = backup.events.filter((e) => e.type === 'unit-done');
    expect(done.map((e) => e.name).sort()).toEqual([`${source}.big`, `${source}.empty`, `${source}.small`]);
    expect(done.find((e) => e.name === `${source}.big`)).toMatchObject({ items: 5000 });

    const restored = await restoreFromMemory(backup, mongoUrlFor(target), {}, 3);
    expect(restored.items).toEqual({
      [`${source}.big`]: 5000,
      [`${source}.small`]: 3,
      [`${source}.empty`]: 0,
    });
    expect(restored.database).toBe(target);
    expect(
      restored.events
        .filter((e) => e.type === 'unit-done')
        .map((e) => e.name)
        .sort(),
    ).toEqual([`${target}.big`, `${target}.empty`, `${target}.small`]);
    await withMongoClient(async (client) => {
      const a = await readRaw(client, source, 'big');
      const b = await readRaw(client, target, 'big');
      expect(b.length).toBe(5000);
      expect(Buffer.concat(b).equals(Buffer.concat(a))).toBe(true);
      expect(
        (await client.db(target).collection('empty').listIndexes().toArray()).map((i) => i.name),
      ).toContain('e_1');
    });
  });

  it('restores exactly under a tiny batch budget shared by every stream, with documents larger than a batch', async () => {
    const source = dbName('budget_src');
    const target = dbName('budget_dst');
    await withMongoClient(async (client) => {
      const db = client.db(source);
      for (const name of ['a', 'b', 'c'])
        await seedDocs(db, name, 400, (i) => ({ _id: i, pad: 'y'.repeat(i % 10 === 0 ? 40_000 : i % 300) }));
    });
    const backup = await backupToMemory(mongoUrlFor(source), {}, 3);
    // 16 KiB batches, and room for only two at once across three streams of four workers each.
    const restored = await restoreFromMemory(
      backup,
      mongoUrlFor(target),
      { batchBytes: 16 * 1024, batchBudgetBytes: 32 * 1024, workersPerCollection: 4 },
      3,
    );
    expect(Object.values(restored.items)).toEqual([400, 400, 400]);
    await withMongoClient(async (client) => {
      for (const name of ['a', 'b', 'c']) {
        const a = await readRaw(client, source, name);
        const b = await readRaw(client, target, name);
        expect(Buffer.concat(b).equals(Buffer.concat(a)), name).toBe(true);
      }
    });
  });

  it('splits a large collection over _id ranges when asked, losing and repeating nothing, whatever the _id types', async () => {
    const source = dbName('split_src');
    const target = dbName('split_dst');
    await withMongoClient(async (client) => {
      const db = client.db(source);
      // Mostly ObjectIds (what gets split on), plus other _id types that fall outside the ranges' type bracket.
      await seedDocs(db, 'mixed', 4000, (i) => ({ _id: new ObjectId(), i, pad: 'p'.repeat(200) }));
      await db.collection('mixed').insertMany([
        { _id: 7 as unknown as ObjectId, i: -1 },
        { _id: 'text-id' as unknown as ObjectId, i: -2 },
        { _id: { compound: 1 } as unknown as ObjectId, i: -3 },
        { _id: new Date(0) as unknown as ObjectId, i: -4 },
        { _id: true as unknown as ObjectId, i: -5 },
      ]);
    });
    const backup = await backupToMemory(mongoUrlFor(source), { splitCollections: true, splitMinBytes: 1 }, 4);
    const streams = backup.streams.list().filter((s) => s.name.startsWith(`${source}.mixed`));
    expect(streams.length).toBeGreaterThan(1);
    expect(streams.reduce((n, s) => n + s.items, 0)).toBe(4005);
    const schema = backup.result.schema as MongoSchema;
    expect(schema.databases[0]!.collections[0]!.streams.sort()).toEqual(streams.map((s) => s.name).sort());
    expect(schema.databases[0]!.collections[0]!.documents).toBe(4005);

    await restoreFromMemory(backup, mongoUrlFor(target), {}, 4);
    await withMongoClient(async (client) => {
      const a = (await readRaw(client, source, 'mixed')).map((d) => d.toString('hex')).sort();
      const b = (await readRaw(client, target, 'mixed')).map((d) => d.toString('hex')).sort();
      expect(b).toEqual(a);
    });
  });

  it('applies a --query filter per collection', async () => {
    const source = dbName('query_src');
    await withMongoClient((client) =>
      seedDocs(client.db(source), 'orders', 100, (i) => ({ _id: i, year: 2020 + (i % 5) })),
    );
    const backup = await backupToMemory(mongoUrlFor(source), {
      query: { [`${source}.orders`]: '{"year": {"$gte": 2023}}' },
    });
    expect(collectionStreams(backup)[0]!.items).toBe(40);
    const bytes = streamBytes(backup.streams, `${source}.orders`);
    for (let pos = 0; pos < bytes.length; pos += bytes.readInt32LE(pos)) {
      const doc = BSON.deserialize(bytes.subarray(pos, pos + bytes.readInt32LE(pos)));
      expect(doc.year).toBeGreaterThanOrEqual(2023);
    }
  });

  it('refuses a --query that is not an Extended JSON document', async () => {
    const source = dbName('query_bad');
    await expect(
      backupToMemory(mongoUrlFor(source), { query: { [`${source}.x`]: '{year: 2020' } }),
    ).rejects.toThrow(UsageError);
    await expect(backupToMemory(mongoUrlFor(source), { query: { [`${source}.x`]: '[1]' } })).rejects.toThrow(
      /--query for .* is not a valid Extended JSON document: not a document/,
    );
  });
});

describe('namespaces', () => {
  async function twoDbs() {
    const a = dbName('ns_a');
    const b = dbName('ns_b');
    await withMongoClient(async (client) => {
      for (const db of [a, b]) {
        await seedDocs(client.db(db), 'orders', 5);
        await seedDocs(client.db(db), 'logs', 3);
        await seedDocs(client.db(db), 'tmp_x', 2);
      }
    });
    return { a, b };
  }

  it('include and exclude at backup and at restore', async () => {
    const { a, b } = await twoDbs();
    const backup = await backupToMemory(mongoUrl(), { databases: [a, b], exclude: [`*.tmp_*`] });
    expect(
      collectionStreams(backup)
        .map((s) => s.name)
        .sort(),
    ).toEqual([`${a}.logs`, `${a}.orders`, `${b}.logs`, `${b}.orders`]);
    expect(backup.result.database).toBe(`${a},${b}`);

    const targetA = dbName('ns_ta');
    const targetB = dbName('ns_tb');
    const restored = await restoreFromMemory(backup, mongoUrl(), {
      include: [`${a}.*`, `${b}.orders`],
      exclude: [`${a}.logs`],
      nsFrom: [a, `${b}.*`],
      nsTo: [targetA, `${targetB}.*_copy`],
    });
    expect(Object.keys(restored.items).sort()).toEqual([`${a}.orders`, `${b}.orders`]);
    await withMongoClient(async (client) => {
      expect((await client.db(targetA).listCollections().toArray()).map((c) => c.name)).toEqual(['orders']);
      expect((await client.db(targetB).listCollections().toArray()).map((c) => c.name)).toEqual([
        'orders_copy',
      ]);
      expect(await client.db(targetB).collection('orders_copy').countDocuments()).toBe(5);
    });
  });

  it('restores a one-database archive into the database named in the target URL', async () => {
    const { a } = await twoDbs();
    const backup = await backupToMemory(mongoUrlFor(a));
    const target = dbName('ns_url');
    const restored = await restoreFromMemory(backup, mongoUrlFor(target));
    expect(restored.database).toBe(target);
    await withMongoClient(async (client) => {
      expect(await client.db(target).collection('orders').countDocuments()).toBe(5);
    });
  });

  it('refuses a target URL database when the archive holds several databases', async () => {
    const { a, b } = await twoDbs();
    const backup = await backupToMemory(mongoUrl(), { databases: [a, b] });
    await expect(restoreFromMemory(backup, mongoUrlFor(dbName('ns_multi')))).rejects.toThrow(
      /the target URL names database "[^"]+", but the archive holds 2 databases/,
    );
  });

  it('refuses renames that make two namespaces collide', async () => {
    const { a } = await twoDbs();
    const backup = await backupToMemory(mongoUrlFor(a));
    await expect(
      restoreFromMemory(backup, mongoUrl(), {
        nsFrom: [`${a}.orders`, `${a}.logs`],
        nsTo: ['x.same', 'x.same'],
      }),
    ).rejects.toThrow(/^both \S+\.(orders|logs) and \S+\.(orders|logs) would be restored as x\.same$/);
  });
});

describe('existing data on the target', () => {
  it('is refused without --drop, listing the collections, and left untouched', async () => {
    const source = dbName('exist_src');
    const target = dbName('exist_dst');
    await withMongoClient(async (client) => {
      await seedDocs(client.db(source), 'a', 10);
      await seedDocs(client.db(source), 'b', 10);
      await seedDocs(client.db(target), 'a', 2, (i) => ({ _id: i, old: true }));
    });
    const backup = await backupToMemory(mongoUrlFor(source));
    const error = await restoreFromMemory(backup, mongoUrlFor(target)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`the target already has a collection with data: ${target}.a`);
    expect((error as UsageError).hint).toMatch(/--drop/);
    await withMongoClient(async (client) => {
      expect(await client.db(target).collection('a').countDocuments()).toBe(2);
      expect(await client.db(target).listCollections({ name: 'b' }).hasNext()).toBe(false);
    });
  });

  it('is replaced with --drop', async () => {
    const source = dbName('drop_src');
    const target = dbName('drop_dst');
    await withMongoClient(async (client) => {
      await seedDocs(client.db(source), 'a', 10);
      await seedDocs(client.db(target), 'a', 20, (i) => ({ _id: 100 + i, old: true }));
      await client.db(target).collection('a').createIndex({ old: 1 });
    });
    const backup = await backupToMemory(mongoUrlFor(source));
    await restoreFromMemory(backup, mongoUrlFor(target), { drop: true });
    await withMongoClient(async (client) => {
      expect(await client.db(target).collection('a').countDocuments()).toBe(10);
      expect(await client.db(target).collection('a').countDocuments({ old: true })).toBe(0);
      expect((await client.db(target).collection('a').listIndexes().toArray()).map((i) => i.name)).toEqual([
        '_id_',
      ]);
    });
  });

  it('an existing empty collection is filled, with a warning', async () => {
    const source = dbName('empty_src');
    const target = dbName('empty_dst');
    await withMongoClient(async (client) => {
      await seedDocs(client.db(source), 'a', 10);
      await client.db(target).createCollection('a');
    });
    const backup = await backupToMemory(mongoUrlFor(source));
    const restored = await restoreFromMemory(backup, mongoUrlFor(target));
    expect(restored.warnings).toEqual([
      `${target}.a already exists (empty); documents and indexes are added to it and its options are kept`,
    ]);
    await withMongoClient(async (client) => {
      expect(await client.db(target).collection('a').countDocuments()).toBe(10);
    });
  });
});

describe('point in time', () => {
  it('a backup from a server without an oplog says it is not one point in time', async (ctx) => {
    if (mongoCapabilitiesNow().replicaSet) ctx.skip('the server is a replica set member');
    const source = dbName('pit');
    await withMongoClient((client) => seedDocs(client.db(source), 'a', 1));
    const backup = await backupToMemory(mongoUrlFor(source));
    expect(backup.result.pointInTime).toBe(false);
    expect(backup.result.warnings.some((w) => w.startsWith('backup is not a single point in time'))).toBe(
      true,
    );
    expect(
      backup.events.some(
        (e) => e.type === 'warning' && e.message.startsWith('backup is not a single point in time'),
      ),
    ).toBe(true);
    await expect(backupToMemory(mongoUrlFor(source), { oplog: true })).rejects.toThrow(
      /--oplog needs a replica set member/,
    );
  });

  it('a replica set backup captures the oplog and is one point in time', async (ctx) => {
    // FerretDB with an oplog runs privately in point-in-time.test.ts.
    skipOnFerretDB(ctx, 'the shared FerretDB has no oplog; point-in-time.test.ts covers FerretDB with one');
    if (!mongoCapabilitiesNow().replicaSet) ctx.skip('the server is not a replica set member');
    const source = dbName('pit_rs');
    const target = dbName('pit_rs_dst');
    await withMongoClient((client) => seedDocs(client.db(source), 'a', 100));
    const backup = await backupToMemory(mongoUrlFor(source));
    expect(backup.result.pointInTime).toBe(true);
    expect((backup.result.schema as MongoSchema).oplog?.stream).toBe('$oplog');
    await restoreFromMemory(backup, mongoUrlFor(target));
    await withMongoClient(async (client) => {
      expect(await client.db(target).collection('a').countDocuments()).toBe(100);
    });
  });
});

describe('cancellation', () => {
  it('an aborted backup stops with a one-line error', async () => {
    const source = dbName('abort');
    await withMongoClient((client) =>
      seedDocs(client.db(source), 'a', 3000, (i) => ({ _id: i, pad: 'x'.repeat(2000) })),
    );
    const controller = new AbortController();
    const { GatedWriters } = await import('./support/gated-streams.js');
    const { mongodbEngine } = await import('../../src/engines/mongodb/engine.js');
    const streams = new GatedWriters(`${source}.a`, async () => controller.abort());
    const error = await mongodbEngine
      .backup({
        url: mongoUrlFor(source),
        streams,
        jobs: 1,
        options: {},
        progress: () => {},
        signal: controller.signal,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'interrupted', message: 'backup was cancelled' });
  });
});

describe('users and roles', () => {
  it('are backed up only when asked, and restored through the server merge', async (ctx) => {
    skipUnlessMongoSupports(ctx, 'users');
    const source = dbName('authz');
    const user = `stowage_u_${source.slice(-6)}`;
    await withMongoClient(async (client) => {
      await client
        .db(source)
        .command({ createUser: user, pwd: 'pw-for-tests', roles: [{ role: 'read', db: source }] });
      await seedDocs(client.db(source), 'a', 1);
    });
    const without = await backupToMemory(mongoUrlFor(source));
    expect((without.result.schema as MongoSchema).auth).toBeUndefined();
    const withAuth = await backupToMemory(mongoUrlFor(source), { usersAndRoles: true });
    const schema = withAuth.result.schema as MongoSchema;
    expect(schema.auth).toEqual({ users: 'admin.system.users', roles: 'admin.system.roles' });
    expect(withAuth.streams.list().find((s) => s.name === 'admin.system.users')!.items).toBeGreaterThan(0);

    await withMongoClient((client) => client.db(source).command({ dropUser: user }));
    await restoreFromMemory(withAuth, mongoUrlFor(dbName('authz_dst')), { usersAndRoles: true });
    await withMongoClient(async (client) => {
      const info = await client.db(source).command({ usersInfo: user });
      expect(info.users).toHaveLength(1);
      await client.db(source).command({ dropUser: user });
    });
  });
});
