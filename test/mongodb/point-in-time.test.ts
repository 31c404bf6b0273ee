import type { Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoSchema } from '../../src/engines/mongodb/schema.js';
import {
  isFerretDB,
  mongoCapabilitiesNow,
  mongoUrlFor as sharedUrlFor,
  uniqueMongoDbName,
  withMongoClient as withSharedClient,
} from '../support/mongo.js';
import { mongoUrl } from '../support/servers.js';
import { restoreFromMemory } from './support/engine.js';
import { GatedWriters } from './support/gated-streams.js';
import { ferretdbBinary, PrivateFerretDB } from './support/private-ferretdb.js';

// A point-in-time backup (`--oplog`) against a server that really keeps an
// oplog: writes land in the middle of the dump, and the restore must equal the
// source as it was when the dump ended, not a mix of before and after.

/** Test documents have numeric ids. */
type NumberedDoc = { _id: number } & Document;

// A real replica set given in the environment is used as it is; FerretDB
// runs privately as a replica set with an oplog (the shared one has none).
const useShared = !isFerretDB() && mongoCapabilitiesNow().replicaSet;
const canRun = useShared || ferretdbBinary() !== undefined;
let server: PrivateFerretDB | undefined;
const baseUrl = () => (useShared ? mongoUrl() : (server as PrivateFerretDB).url);
const mongoUrlFor = (db: string) => sharedUrlFor(db, baseUrl());
function withMongoClient<T>(fn: (client: MongoClient) => Promise<T>): Promise<T> {
  return withSharedClient(fn, baseUrl());
}

const created: string[] = [];
beforeAll(async () => {
  if (canRun && !useShared) server = await PrivateFerretDB.start({ oplog: true });
});
afterAll(async () => {
  if (server) return server.stop();
  if (!canRun) return;
  await withMongoClient(async (client) => {
    for (const db of created)
      await client
        .db(db)
        .dropDatabase()
        .catch(() => {});
  });
});

function dbName(prefix: string): string {
  const name = uniqueMongoDbName(prefix);
  created.push(name);
  return name;
}

async function contents(db: string): Promise<Record<string, Document[]>> {
  return withMongoClient(async (client) => {
    const out: Record<string, Document[]> = {};
    for (const name of ['a', 'b']) {
      out[name] = await client
        .db(db)
        .collection(name)
        .find({}, { sort: { _id: 1 } })
        .toArray();
    }
    return out;
  });
}

describe.skipIf(!canRun)('point in time through the oplog (needs a replica set or a FerretDB binary)', () => {
  it('writes made while the dump runs are replayed, so the restore is the state at the end of the dump', async () => {
    const source = dbName('pit_live');
    const target = dbName('pit_live_dst');
    await withMongoClient(async (client) => {
      const docs = Array.from({ length: 2000 }, (_, i) => ({ _id: i, n: i, pad: 'p'.repeat(200) }));
      await client.db(source).collection<NumberedDoc>('a').insertMany(docs);
      await client
        .db(source)
        .collection<NumberedDoc>('b')
        .insertMany(docs.slice(0, 50).map((d) => ({ _id: d._id, n: 0 })));
    });

    // The first frame of collection a is written after the dump's first
    // batch was read: these writes hit documents already read and documents
    // still ahead, in both collections.
    const { mongodbEngine } = await import('../../src/engines/mongodb/engine.js');
    const streams = new GatedWriters(`${source}.a`, async () => {
      await withMongoClient(async (client) => {
        const a = client.db(source).collection<NumberedDoc>('a');
        const b = client.db(source).collection<NumberedDoc>('b');
        await a.updateMany({ _id: { $lt: 40 } }, { $set: { n: -1, changed: true } });
        await a.updateMany({ _id: { $gte: 1500, $lt: 1540 } }, { $set: { n: -2 } });
        await a.deleteMany({ _id: { $gte: 10, $lt: 20 } });
        await a.deleteMany({ _id: { $gte: 1700, $lt: 1710 } });
        await a.insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: 5000 + i, n: 5000 + i })));
        await a.updateOne({ _id: 5001 }, { $unset: { n: '' } });
        await a.replaceOne({ _id: 30 }, { replaced: 'whole' });
        await b.updateMany({}, { $set: { n: 7 } });
        await b.deleteOne({ _id: 3 });
        await b.insertOne({ _id: 999, n: 999 });
      });
    });
    const result = await mongodbEngine.backup({
      url: mongoUrlFor(source),
      streams,
      jobs: 2,
      options: { oplog: true },
      progress: () => {},
    });
    expect(result.pointInTime).toBe(true);
    const schema = result.schema as MongoSchema;
    expect(schema.oplog?.entries).toBeGreaterThan(0);

    const expected = await contents(source);
    await restoreFromMemory({ streams: streams.memory, result }, mongoUrlFor(target));
    const restored = await contents(target);
    expect(restored.a).toHaveLength(expected.a?.length ?? -1);
    expect(restored).toEqual(expected);
  });

  it('a backup without --oplog on a server with an oplog says it is not one point in time', async () => {
    const source = dbName('pit_off');
    await withMongoClient((client) => client.db(source).collection<NumberedDoc>('a').insertOne({ _id: 1 }));
    const { backupToMemory } = await import('./support/engine.js');
    const backup = await backupToMemory(mongoUrlFor(source), { oplog: false });
    expect(backup.result.pointInTime).toBe(false);
    expect(backup.result.warnings.join('\n')).toMatch(/not a single point in time: --oplog is off/);
  });
});
