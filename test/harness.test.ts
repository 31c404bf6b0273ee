// The test harness itself: both servers really answer, and the capability
// probe knows which MongoDB-protocol server it is talking to.
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  mongoCapabilities,
  mongoUrlFor,
  skipOnFerretDB,
  uniqueMongoDbName,
  withMongoClient,
} from './support/mongo.js';
import { createPgDatabase, withPgClient } from './support/pg.js';
import { mongoServer, mongoTestsSkipped, mongoUrl, pgServer, pgUrl } from './support/servers.js';

describe('PostgreSQL', () => {
  it('answers select version()', async () => {
    const version = await withPgClient(pgUrl(), async (client) => {
      const res = await client.query<{ version: string }>('select version()');
      return res.rows[0]?.version;
    });
    expect(version).toMatch(/^PostgreSQL \d+/);
    expect(pgServer().version).toMatch(/^PostgreSQL \d+/);
  });

  it('refuses a wrong password', async () => {
    const url = new URL(pgUrl());
    url.password = 'certainly-not-the-password';
    await expect(withPgClient(url.toString(), (client) => client.query('select 1'))).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('creates, uses and drops a fresh database', async () => {
    const db = await createPgDatabase('harness');
    try {
      expect(db.name).toMatch(/^harness_[a-z0-9_]+$/);
      const rows = await withPgClient(db.url, async (client) => {
        expect((await client.query('select current_database() as d')).rows[0]).toEqual({ d: db.name });
        const tables = await client.query(
          "select count(*)::int as n from pg_tables where schemaname = 'public'",
        );
        expect(tables.rows[0]).toEqual({ n: 0 });
        await client.query('create table t (id int primary key, v text)');
        await client.query("insert into t values (1, 'a'), (2, 'b')");
        return (await client.query('select * from t order by id')).rows;
      });
      expect(rows).toEqual([
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ]);
    } finally {
      await db.drop();
    }
    const left = await withPgClient(pgUrl(), (client) =>
      client.query('select 1 from pg_database where datname = $1', [db.name]),
    );
    expect(left.rowCount).toBe(0);
  });
});

describe.skipIf(mongoTestsSkipped())('MongoDB protocol', () => {
  it('answers ping and round-trips a document', async () => {
    const dbName = uniqueMongoDbName('harness');
    await withMongoClient(async (client) => {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
      const coll = client.db(dbName).collection<{ _id: ObjectId; n: number; s: string; a: number[] }>('docs');
      const _id = new ObjectId();
      await coll.insertOne({ _id, n: 42, s: 'héllo', a: [1, 2, 3] });
      expect(await coll.findOne({ _id })).toEqual({ _id, n: 42, s: 'héllo', a: [1, 2, 3] });
      await client.db(dbName).dropDatabase();
    });
  });

  it('mongoUrlFor points the driver at the named database', async () => {
    const dbName = uniqueMongoDbName('harness_url');
    const url = mongoUrlFor(dbName);
    expect(url.startsWith(mongoUrl().replace(/\/[^/]*$/, '/'))).toBe(true);
    await withMongoClient(async (client) => {
      expect(client.db().databaseName).toBe(dbName);
      await client.db().collection('c').insertOne({ x: 1 });
      expect(await client.db().collection('c').countDocuments()).toBe(1);
      await client.db().dropDatabase();
    }, url);
  });

  it('mongoUrlFor keeps credentials, query and the auth database', () => {
    expect(mongoUrlFor('x', 'mongodb://u:p@h1:1,h2:2/admin?replicaSet=rs0')).toBe(
      'mongodb://u:p@h1:1,h2:2/x?replicaSet=rs0&authSource=admin',
    );
    expect(mongoUrlFor('x', 'mongodb://h:1/')).toBe('mongodb://h:1/x');
    expect(mongoUrlFor('x', 'mongodb://h:1')).toBe('mongodb://h:1/x');
    expect(mongoUrlFor('x', 'mongodb://u:p@h:1/?authSource=other')).toBe(
      'mongodb://u:p@h:1/x?authSource=other',
    );
  });

  it('classifies the server, and knows FerretDB gaps', async () => {
    const caps = await mongoCapabilities();
    // A server the harness started from local binaries is FerretDB (CI's case);
    // one from the environment or a container may be either.
    if (mongoServer()?.origin === 'local') expect(caps.server).toBe('ferretdb');
    expect(mongoServer()?.version).toContain(caps.version);
    if (caps.server === 'ferretdb') {
      expect(caps.version).toMatch(/^v1\./);
      expect(caps.replicaSet).toBe(false);
      expect(caps.supports).toMatchObject({
        nestedArrays: false,
        nan: false,
        views: false,
        decimal128: false,
        uniqueIndexes: true,
        compoundIndexes: true,
      });
    } else {
      expect(caps.supports).toMatchObject({ nestedArrays: true, nan: true, views: true, decimal128: true });
    }
  });

  it('skipOnFerretDB skips only on FerretDB', async (ctx) => {
    const caps = await mongoCapabilities();
    skipOnFerretDB(ctx, 'checks that skipping works');
    expect(caps.server).toBe('mongodb');
  });
});
