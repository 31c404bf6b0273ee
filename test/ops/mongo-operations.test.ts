import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { verify } from '../../src/ops/verify.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';

let dir: string;
const dbName = uniqueMongoDbName('stowage_ops');
const scratchName = uniqueMongoDbName('stowage_scratch');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-mongo-ops-'));
  await withMongoClient(async (client) => {
    const db = client.db(dbName);
    await db.collection('people').insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        i,
        name: `person ${i}`,
        tags: ['a', i % 2 ? 'odd' : 'even'],
      })),
    );
    await db
      .collection('orders')
      .insertMany(
        Array.from({ length: 120 }, (_, i) => ({ i, total: i * 1.5, at: new Date(1_790_000_000_000 + i) })),
      );
  });
});
afterAll(async () => {
  await withMongoClient(async (client) => {
    await client.db(dbName).dropDatabase();
    await client.db(scratchName).dropDatabase();
  });
  await rm(dir, { recursive: true, force: true });
});

describe('operations on a MongoDB-protocol server', () => {
  it('verifies with a restore test into a scratch database and drops it', async () => {
    const { archive } = await backup({ source: mongoUrlFor(dbName), to: join(dir, 'repo') });
    const result = await verify({ archive, restoreTest: mongoUrlFor(scratchName) });
    expect(result.problems).toEqual([]);
    expect(result.restoreTest?.units.map((u) => [u.unit, u.databaseItems, u.match]).sort()).toEqual([
      [`${dbName}.orders`, 120, true],
      [`${dbName}.people`, 300, true],
    ]);
    const left = await withMongoClient(async (client) =>
      (await client.db('admin').admin().listDatabases()).databases.map((d) => d.name),
    );
    expect(left).not.toContain(scratchName);
  });

  it('refuses a scratch database that holds collections', async () => {
    const { archive } = await backup({ source: mongoUrlFor(dbName), to: join(dir, 'repo2') });
    await expect(verify({ archive, restoreTest: mongoUrlFor(dbName) })).rejects.toThrow(
      /is not empty .*refusing/,
    );
    const count = await withMongoClient((client) => client.db(dbName).collection('people').countDocuments());
    expect(count).toBe(300);
  });
});
