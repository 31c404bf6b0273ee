// Per-collection round trips of backup and restore (issue 14: thousands of
// small collections). The commands the engine sends are observed through the
// driver's command monitoring on its own client; the server is real.
import { BSON, type CommandStartedEvent, type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/engines/mongodb/introspect.js';
import { NamespaceFilter } from '../../src/engines/mongodb/namespace-filter.js';
import { CollectionPresence } from '../../src/engines/mongodb/presence-check.js';
import { isFerretDB, mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { backupToMemory, collectionStreams, restoreFromMemory } from './support/engine.js';

const COLLECTIONS = 30;
const source = uniqueMongoDbName('round_trips');
const target = `${source}_r`;
const name = (i: number) => `c${String(i).padStart(3, '0')}`;

/** Commands sent by clients connected while `record` is on, with how many of each kind were out at once. */
const seen: { name: string; db: string; collection: unknown; limit?: unknown; singleBatch?: unknown }[] = [];
/** The restore's short writes into a database (create, createIndexes, insert) out at once. */
const SHORT_WRITES = new Set(['create', 'createIndexes', 'insert']);
let shortWritesInFlight = 0;
let maxShortWritesInFlight = 0;
const inFlight = new Map<string, number>();
const maxInFlight = new Map<string, number>();
const originalConnect = MongoClient.prototype.connect;

const monitored = (url: string) => `${url}${url.includes('?') ? '&' : '?'}monitorCommands=true`;

beforeAll(async () => {
  const started = new Map<number, string>();
  MongoClient.prototype.connect = function (this: MongoClient) {
    this.on('commandStarted', (e: CommandStartedEvent) => {
      seen.push({
        name: e.commandName,
        db: e.databaseName,
        // A getMore names its collection apart from its cursor.
        collection: e.commandName === 'getMore' ? e.command.collection : e.command[e.commandName],
        limit: e.command.limit,
        singleBatch: e.command.singleBatch,
      });
      started.set(e.requestId, e.commandName);
      if (SHORT_WRITES.has(e.commandName)) {
        shortWritesInFlight++;
        maxShortWritesInFlight = Math.max(maxShortWritesInFlight, shortWritesInFlight);
      }
      const n = (inFlight.get(e.commandName) ?? 0) + 1;
      inFlight.set(e.commandName, n);
      maxInFlight.set(e.commandName, Math.max(n, maxInFlight.get(e.commandName) ?? 0));
    });
    const done = (e: { requestId: number }) => {
      const command = started.get(e.requestId);
      if (command) inFlight.set(command, (inFlight.get(command) ?? 1) - 1);
      if (command && SHORT_WRITES.has(command)) shortWritesInFlight--;
    };
    this.on('commandSucceeded', done);
    this.on('commandFailed', done);
    return originalConnect.call(this);
  } as typeof originalConnect;

  await withMongoClient(async (client) => {
    const db = client.db(source);
    for (let c = 0; c < COLLECTIONS; c++) {
      await db
        .collection(name(c))
        .insertMany(
          Array.from({ length: 3 }, (_, i) => ({ _id: i, email: `u${i}@c${c}`, at: i * c })) as Document[],
        );
      await db.command({
        createIndexes: name(c),
        indexes: [
          { key: { email: 1 }, name: 'email_1', unique: true },
          { key: { at: -1 }, name: 'at_-1' },
        ],
      });
    }
  });
}, 120_000);

afterAll(async () => {
  MongoClient.prototype.connect = originalConnect;
  await withMongoClient(async (client) => {
    await client.db(source).dropDatabase();
    await client.db(target).dropDatabase();
  }).catch(() => {});
});

function reset() {
  seen.length = 0;
  maxInFlight.clear();
  maxShortWritesInFlight = 0;
}
const count = (command: string) => seen.filter((c) => c.name === command).length;

describe('many small collections', () => {
  it('backup checks that the collections are still there with a few listCollections, not one per collection; restore creates and indexes several collections at once', async () => {
    reset();
    const backup = await backupToMemory(monitored(mongoUrlFor(source)), {}, 4);
    expect(count('find')).toBe(COLLECTIONS);
    // The database is named: seeing a collection in it is enough, without the server's database
    // list (FerretDB measures every database for it, whatever `nameOnly` says: seconds to minutes).
    expect(count('listDatabases')).toBe(0);
    // One for the catalog, then the presence checks of all collections together (one per
    // collection before: 31 here).
    expect(count('listCollections')).toBeLessThanOrEqual(3);
    if (isFerretDB()) {
      // The catalog reads these small collections whole, one find batch each, which is their
      // count too: no count (one each before, stopped at 1,000 documents), no second find in the
      // data phase, and never collStats, which measures the whole SQLite file on each call.
      expect(count('count')).toBe(0);
      expect(count('getMore')).toBe(0);
      expect(count('collStats')).toBe(0);
    } else {
      // Sizes from collStats (metadata), never a count.
      expect(count('count')).toBe(0);
      expect(count('collStats')).toBe(COLLECTIONS);
    }
    expect(collectionStreams(backup)).toHaveLength(COLLECTIONS);
    expect(backup.result.warnings.filter((w) => /dropped/.test(w))).toEqual([]);

    reset();
    await restoreFromMemory(backup, monitored(mongoUrlFor(target)), {}, 4);
    // Without options, each collection is created by its index build (a create each before).
    expect(count('create')).toBe(0);
    expect(count('createIndexes')).toBe(COLLECTIONS);
    expect(count('insert')).toBe(COLLECTIONS);
    // A small collection is indexed while empty, then loaded (indexes after the data before).
    for (let c = 0; c < COLLECTIONS; c++) {
      const step = (command: string) => seen.findIndex((e) => e.name === command && e.collection === name(c));
      expect(step('createIndexes')).toBeLessThan(step('insert'));
    }
    if (isFerretDB()) {
      // FerretDB (SQLite): short writes into one database one at a time (4 and more at once
      // before, waiting in SQLite's busy handler).
      expect(maxShortWritesInFlight).toBe(1);
    } else {
      // One after another before: never more than one out at a time.
      expect(maxInFlight.get('createIndexes')).toBeGreaterThan(1);
    }

    await withMongoClient(async (client) => {
      const names = (await client.db(target).listCollections({}, { nameOnly: true }).toArray())
        .map((c) => c.name)
        .sort();
      expect(names).toEqual(Array.from({ length: COLLECTIONS }, (_, c) => name(c)));
      for (const c of [0, COLLECTIONS - 1]) {
        const docs = await client.db(target).collection(name(c)).find().sort({ _id: 1 }).toArray();
        expect(docs).toEqual(
          Array.from({ length: 3 }, (_, i) => ({ _id: i, email: `u${i}@c${c}`, at: i * c })),
        );
        const indexes = (await client.db(target).collection(name(c)).listIndexes().toArray())
          .map((i) => i.name)
          .sort();
        expect(indexes).toEqual(['_id_', 'at_-1', 'email_1']);
      }
    });
  }, 120_000);
});

describe('a FerretDB backup reads each small collection once', () => {
  const db = uniqueMongoDbName('read_once');
  const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ _id: i, at: i * 3 }));
  const commandsOn = (collection: string) => {
    const on = seen.filter((c) => c.db === db && c.collection === collection);
    return (command: string) => on.filter((c) => c.name === command).length;
  };
  beforeAll(async () => {
    if (!isFerretDB()) return;
    await withMongoClient(async (client) => {
      for (const [c, n] of [
        ['hundreds', 300],
        ['thousands', 1500],
        ['filtered', 50],
      ] as const)
        await client
          .db(db)
          .collection(c)
          .insertMany(docs(n) as Document[]);
    });
  }, 60_000);
  afterAll(async () => {
    await withMongoClient((client) => client.db(db).dropDatabase()).catch(() => {});
  });

  it.skipIf(!isFerretDB())(
    'a collection of a few hundred documents: one find and one getMore, no count, no second read',
    async () => {
      reset();
      const backup = await backupToMemory(monitored(mongoUrlFor(db)), {}, 2);
      const hundreds = commandsOn('hundreds');
      // Before: a find of 101 documents thrown away, a count, then the data phase's find and getMore.
      expect([hundreds('find'), hundreds('getMore'), hundreds('count')]).toEqual([1, 1, 0]);
      // Past the catalog's bound: read by the data phase, sized by a count.
      const thousands = commandsOn('thousands');
      expect(thousands('find')).toBe(2);
      expect(thousands('killCursors')).toBe(1);
      const items = new Map(collectionStreams(backup).map((s) => [s.name, s.items]));
      expect(items).toEqual(
        new Map([
          [`${db}.hundreds`, 300],
          [`${db}.thousands`, 1500],
          [`${db}.filtered`, 50],
        ]),
      );
    },
    60_000,
  );

  it.skipIf(!isFerretDB())(
    'a collection backed up through --query is not read whole first',
    async () => {
      reset();
      const backup = await backupToMemory(
        monitored(mongoUrlFor(db)),
        { query: { [`${db}.filtered`]: '{"_id": {"$lt": 10}}' } },
        2,
      );
      const filtered = commandsOn('filtered');
      // Before: the catalog's find of the whole collection, unused, then the data phase's.
      expect(filtered('find')).toBe(1);
      expect(seen.find((c) => c.name === 'find' && c.collection === 'filtered')?.limit).toBeUndefined();
      expect(collectionStreams(backup).find((s) => s.name === `${db}.filtered`)?.items).toBe(10);
      // The others are still read whole by the catalog.
      expect(commandsOn('hundreds')('find')).toBe(1);
    },
    60_000,
  );
});

describe('readCatalog wholeBelow', () => {
  it('reads collections under the document bound whole while what it holds stays under the byte bound', async () => {
    const db = uniqueMongoDbName('whole_below');
    const docs = (c: string, n: number) => Array.from({ length: n }, (_, i) => ({ _id: i, c, at: i * 7 }));
    await withMongoClient(async (client) => {
      try {
        for (const [c, n] of [
          ['a', 3],
          ['b', 3],
          ['five', 5],
        ] as const)
          await client
            .db(db)
            .collection(c)
            .insertMany(docs(c, n) as Document[]);
        await client.db(db).createCollection('empty');
        const read = (bytes: number, only?: string[]) =>
          readCatalog(client, [db], new NamespaceFilter(only?.map((c) => `${db}.${c}`)), {
            countBeyond: 0,
            exactBelow: 1000,
            wholeBelow: { documents: 5, firstBatch: 5, batchBytes: 1024 * 1024, bytes },
          }).then((catalog) => new Map(catalog.collections.map((c) => [c.name, c])));
        const contents = (held: Buffer | undefined) => {
          const out: Document[] = [];
          for (let at = 0; held && at < held.byteLength; at += held.readInt32LE(at))
            out.push(BSON.deserialize(held.subarray(at, at + held.readInt32LE(at))));
          return out;
        };

        const all = await read(1024 * 1024);
        expect(contents(all.get('a')!.documents)).toEqual(docs('a', 3));
        expect(contents(all.get('b')!.documents)).toEqual(docs('b', 3));
        expect(all.get('a')!.estimatedDocuments).toBe(3);
        // Read whole and empty: nothing left for the data phase to ask.
        expect(all.get('empty')!.documents?.byteLength).toBe(0);
        expect(all.get('empty')!.estimatedDocuments).toBe(0);
        // As many documents as the bound: maybe more, so counted and read in the data phase.
        expect(all.get('five')!.documents).toBeUndefined();
        expect(all.get('five')!.estimatedDocuments).toBe(5);

        // Room for one of the two: the other keeps its exact count, not its documents.
        const oneCollection = all.get('a')!.documents!.byteLength;
        const bounded = await read(oneCollection, ['a', 'b']);
        const held = [...bounded.values()].filter((c) => c.documents);
        expect(held).toHaveLength(1);
        expect([...bounded.values()].map((c) => c.estimatedDocuments)).toEqual([3, 3]);
      } finally {
        await client.db(db).dropDatabase();
      }
    });
  }, 60_000);
});

describe('readCatalog wholeBelow past the first batch', () => {
  const db = uniqueMongoDbName('whole_rest');
  const docs = (c: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ _id: i, c, pad: 'x'.repeat(40) }));
  const read = (client: MongoClient, batchBytes: number) =>
    readCatalog(client, [db], new NamespaceFilter(), {
      countBeyond: 0,
      exactBelow: 20,
      wholeBelow: { documents: 20, firstBatch: 5, batchBytes, bytes: 1024 * 1024 },
    }).then((catalog) => new Map(catalog.collections.map((c) => [c.name, c])));
  const itemsOf = (held: Buffer | undefined) => {
    let n = 0;
    for (let at = 0; held && at < held.byteLength; at += held.readInt32LE(at)) n++;
    return n;
  };
  beforeAll(async () => {
    await withMongoClient(async (client) => {
      for (const [c, n] of [
        ['twelve', 12],
        ['thirty', 30],
      ] as const)
        await client
          .db(db)
          .collection(c)
          .insertMany(docs(c, n) as Document[]);
    });
  }, 60_000);
  afterAll(async () => {
    await withMongoClient((client) => client.db(db).dropDatabase()).catch(() => {});
  });

  it('reads the rest with one getMore when it should fit in a batch', async () => {
    await withMongoClient(
      async (client) => {
        reset();
        const roomy = await read(client, 1024 * 1024);
        expect(itemsOf(roomy.get('twelve')!.documents)).toBe(12);
        expect(roomy.get('twelve')!.estimatedDocuments).toBe(12);
        // As many documents as the bound read and more left: counted, nothing held.
        expect(roomy.get('thirty')!.documents).toBeUndefined();
        expect(roomy.get('thirty')!.estimatedDocuments).toBe(30);
        expect(
          seen
            .filter((c) => c.name === 'getMore')
            .map((c) => c.collection)
            .sort(),
        ).toEqual(['thirty', 'twelve']);

        // The rest would not fit in a batch of 100 bytes: counted (exactly), not read whole.
        const tight = await read(client, 100);
        expect(tight.get('twelve')!.documents).toBeUndefined();
        expect(tight.get('twelve')!.estimatedDocuments).toBe(12);
      },
      monitored(mongoUrlFor(db)),
    );
  }, 60_000);

  it('reads nothing whole for a client that asks for another read preference than the primary', async () => {
    await withMongoClient(
      async (secondary) => {
        const catalog = await read(secondary, 1024 * 1024);
        expect(catalog.get('twelve')!.documents).toBeUndefined();
        expect(catalog.get('twelve')!.estimatedDocuments).toBe(12);
      },
      mongoUrlFor(db),
      { readPreference: 'secondaryPreferred' },
    );
  }, 60_000);
});

describe('CollectionPresence', () => {
  it('answers many collections with one query: present, dropped, and dropped and created again', async () => {
    const db = uniqueMongoDbName('presence');
    await withMongoClient(
      async (client) => {
        try {
          for (const c of ['kept', 'dropped', 'recreated']) await client.db(db).createCollection(c);
          const catalog = await readCatalog(client, [db], new NamespaceFilter(), { countBeyond: 0 });
          const byName = new Map(catalog.collections.map((c) => [c.name, c]));
          await client.db(db).collection('dropped').drop();
          await client.db(db).collection('recreated').drop();
          await client.db(db).createCollection('recreated');

          reset();
          const presence = new CollectionPresence(client);
          const answers = ['kept', 'dropped', 'recreated'].map((n) => presence.unchanged(byName.get(n)!));
          // Nothing is asked until enough questions are pending or a flush.
          await new Promise((resolve) => setImmediate(resolve));
          presence.flush();
          const [kept, dropped, recreated] = await Promise.all(answers);
          expect(kept).toBe(true);
          expect(dropped).toBe(false);
          // Told apart by UUID where the server reports one (MongoDB, FerretDB 1.24).
          expect(recreated).toBe(!byName.get('recreated')!.uuid);
          expect(count('listCollections')).toBe(1);

          // `now` sends at once, without a flush.
          await expect(presence.unchanged(byName.get('kept')!, { now: true })).resolves.toBe(true);
        } finally {
          await client.db(db).dropDatabase();
        }
      },
      monitored(mongoUrlFor(db)),
    );
  }, 60_000);
});
