// `stowage restore --no-index-restore` (mongorestore's --noIndexRestore): the
// documents and collections come back, the secondary indexes do not. Through
// the CLI, against a real server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { runCli } from '../cli/run-cli.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';

const source = uniqueMongoDbName('no_index_src');
const target = `${source}_r`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-no-index-restore-'));
  await withMongoClient(async (client) => {
    const things = client.db(source).collection('things');
    await things.insertMany(
      Array.from({ length: 30 }, (_, i) => ({ _id: i, email: `u${i}@x`, at: i })) as Document[],
    );
    await things.createIndex({ email: 1 }, { name: 'email_1', unique: true });
    await things.createIndex({ at: -1 }, { name: 'at_-1' });
  });
});

afterAll(async () => {
  await withMongoClient(async (client) => {
    await client.db(source).dropDatabase();
    await client.db(target).dropDatabase();
  }).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('restore --no-index-restore', () => {
  it('restores the documents and builds no secondary index', async () => {
    const { archive } = await backup({ source: mongoUrlFor(source), to: dir, preflight: false });
    const run = await runCli(['restore', archive, mongoUrlFor(target), '--no-index-restore', '--yes']);
    expect(run.stderr).not.toMatch(/stowage: /);
    expect(run.code).toBe(0);
    await withMongoClient(async (client) => {
      const things = client.db(target).collection('things');
      expect(await things.countDocuments()).toBe(30);
      expect((await things.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    });
  }, 60_000);
});
