// Asks a MongoDB-protocol server what it really supports, by trying each
// feature in a scratch database. Run once per test run by the global setup;
// tests read the result through mongoCapabilities() in ./mongo.ts.
import { randomBytes } from 'node:crypto';
import {
  BSON,
  BSONSymbol,
  Code,
  DBRef,
  type Db,
  Decimal128,
  type Document,
  Double,
  MaxKey,
  MinKey,
  MongoClient,
  ObjectId,
} from 'mongodb';
import type { MongoCapabilities, MongoFeature, MongoFeatureSupport } from './provided.js';

const clientOptions = { serverSelectionTimeoutMS: 10_000, connectTimeoutMS: 10_000 } as const;

/** Why a probe failed, as one line. */
function reason(error: unknown): string {
  if (error instanceof Error) {
    const code =
      (error as { codeName?: string; code?: number }).codeName ?? (error as { code?: number }).code;
    return `${error.name}${code !== undefined ? ` ${code}` : ''}: ${error.message.split('\n')[0]?.slice(0, 200)}`;
  }
  return String(error);
}

export async function probeMongo(url: string): Promise<MongoCapabilities> {
  const dbName = `stowage_probe_${randomBytes(4).toString('hex')}`;
  const supports = {} as MongoFeatureSupport;
  const failures: MongoCapabilities['failures'] = {};
  const client = new MongoClient(url, clientOptions);
  await client.connect();
  try {
    const admin = client.db('admin');
    const buildInfo = await admin.command({ buildInfo: 1 });
    const hello = await admin.command({ hello: 1 });
    const ferretdbVersion =
      typeof buildInfo.ferretdbVersion === 'string' ? buildInfo.ferretdbVersion : undefined;
    const reportedMongoVersion = String(buildInfo.version);
    const db = client.db(dbName);

    const attempt = async (feature: MongoFeature, fn: (db: Db) => Promise<boolean | undefined>) => {
      try {
        const kept = await fn(db);
        supports[feature] = kept !== false;
        if (kept === false) failures[feature] = 'accepted but not read back unchanged';
      } catch (error) {
        supports[feature] = false;
        failures[feature] = reason(error);
      }
    };

    // FerretDB drops the connection (rather than answering with an error) on
    // some BSON types, so value probes use a client of their own each: a
    // dropped connection then costs a reconnect, not a stalled shared pool.
    const roundTrip = (feature: MongoFeature, value: Document) =>
      attempt(feature, async () => {
        const own = new MongoClient(url, clientOptions);
        try {
          const coll = own.db(dbName).collection<Document & { _id: string }>(`values_${feature}`);
          const doc = { _id: feature, ...value };
          await coll.insertOne(doc);
          // raw: the bytes as stored, so a type or key-order change counts as a failure.
          const raw = (await coll.findOne({ _id: feature }, { raw: true })) as unknown as Uint8Array | null;
          if (!raw) return false;
          return Buffer.compare(Buffer.from(raw), Buffer.from(BSON.serialize(doc))) === 0;
        } finally {
          await own.close();
        }
      });

    await roundTrip('nestedArrays', { v: [[1, 2], [3]] });
    await roundTrip('nan', { v: Number.NaN });
    await roundTrip('infinity', { v: Number.POSITIVE_INFINITY, w: Number.NEGATIVE_INFINITY });
    await roundTrip('negativeZero', { v: new Double(-0) });
    await roundTrip('decimal128', { v: Decimal128.fromString('1234.5678') });
    await roundTrip('javascript', { v: new Code('function () { return 1; }') });
    await roundTrip('javascriptWithScope', { v: new Code('function () { return x; }', { x: 1 }) });
    await roundTrip('minMaxKey', { lo: new MinKey(), hi: new MaxKey() });
    await roundTrip('symbol', { v: new BSONSymbol('sym') });
    await roundTrip('dbRef', { v: new DBRef('other', new ObjectId()) });
    await roundTrip('dottedFieldNames', { 'a.b': 1 });
    await roundTrip('dollarFieldNames', { $x: 1 });

    const optionsOf = async (name: string): Promise<Document> => {
      const [info] = await db.listCollections({ name }).toArray();
      return (info as Document | undefined)?.options ?? {};
    };
    await attempt('views', async () => {
      await db.createCollection('view_source');
      await db.createCollection('view_probe', { viewOn: 'view_source', pipeline: [] });
      const [info] = await db.listCollections({ name: 'view_probe' }).toArray();
      return info?.type === 'view';
    });
    await attempt('validators', async () => {
      await db.createCollection('validator_probe', { validator: { a: { $exists: true } } });
      return (await optionsOf('validator_probe')).validator !== undefined;
    });
    await attempt('collation', async () => {
      await db.createCollection('collation_probe', { collation: { locale: 'en' } });
      return (await optionsOf('collation_probe')).collation !== undefined;
    });
    await attempt('timeseries', async () => {
      await db.createCollection('timeseries_probe', { timeseries: { timeField: 't' } });
      return (await optionsOf('timeseries_probe')).timeseries !== undefined;
    });
    await attempt('cappedCollections', async () => {
      await db.createCollection('capped_probe', { capped: true, size: 65536 });
      return (await optionsOf('capped_probe')).capped === true;
    });
    await attempt('clusteredCollections', async () => {
      await db.createCollection('clustered_probe', { clusteredIndex: { key: { _id: 1 }, unique: true } });
      return (await optionsOf('clustered_probe')).clusteredIndex !== undefined;
    });

    // Each index goes on a collection of its own, followed by an insert: FerretDB
    // accepts a wildcard index on an empty collection and only fails on the
    // first write.
    const index = (feature: MongoFeature, key: Document, options: Document = {}) =>
      attempt(feature, async () => {
        const coll = db.collection(`index_${feature}`);
        const name = await coll.createIndex(key, { name: `${feature}_idx`, ...options });
        await coll.insertOne({
          u: 1,
          c1: 1,
          c2: 2,
          s: 1,
          t: 'some text',
          g: { type: 'Point', coordinates: [1, 2] },
        });
        const listed = (await coll.listIndexes().toArray()).find((i) => i.name === name);
        return listed !== undefined && Object.keys(options).every((k) => listed[k] !== undefined);
      });
    await index('uniqueIndexes', { u: 1 }, { unique: true });
    await index('compoundIndexes', { c1: 1, c2: -1 });
    await index('sparseIndexes', { s: 1 }, { sparse: true });
    await index('textIndexes', { t: 'text' });
    await index('geoIndexes', { g: '2dsphere' });
    await index('hashedIndexes', { h: 'hashed' });
    await index('ttlIndexes', { d: 1 }, { expireAfterSeconds: 3600 });
    await index('partialIndexes', { p: 1 }, { partialFilterExpression: { p: { $exists: true } } });
    await index('wildcardIndexes', { '$**': 1 });
    await index('indexCollation', { ic: 1 }, { collation: { locale: 'en' } });

    await attempt('transactions', async () => {
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          await db.collection('txn_probe').insertOne({ _id: 1 } as Document, { session });
        });
      } finally {
        await session.endSession();
      }
    });
    await attempt('changeStreams', async () => {
      const stream = db.collection('change_stream_probe').watch();
      try {
        await stream.tryNext();
      } finally {
        await stream.close();
      }
    });
    await attempt('users', async () => {
      await db.command({ usersInfo: 1 });
    });

    return {
      server: ferretdbVersion ? 'ferretdb' : 'mongodb',
      version: ferretdbVersion ?? reportedMongoVersion,
      reportedMongoVersion,
      replicaSet: typeof hello.setName === 'string',
      supports,
      failures,
    };
  } finally {
    await client
      .db(dbName)
      .dropDatabase()
      .catch(() => {});
    await client.close();
  }
}
