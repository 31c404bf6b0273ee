import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { inspect } from '../../src/ops/inspect.js';
import { list } from '../../src/ops/list.js';
import { restore } from '../../src/ops/restore.js';
import { runCli, scriptedPrompter } from '../cli/run-cli.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { mongoUrl } from '../support/servers.js';

// Restore safety: what a restore asks about and backs up is what it will
// actually write (renames and selections applied), refusals come before the
// safety backup, and selections that match nothing are errors.

let dir: string;
const pgDatabases: TestPgDatabase[] = [];
const mongoDatabases: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-restore-safety-'));
});
afterAll(async () => {
  for (const db of pgDatabases) await db.drop().catch(() => {});
  if (mongoDatabases.length)
    await withMongoClient(async (client) => {
      for (const name of mongoDatabases) await client.db(name).dropDatabase();
    });
  await rm(dir, { recursive: true, force: true });
});

async function pgDatabase(prefix: string, sql?: string): Promise<TestPgDatabase> {
  const db = await createPgDatabase(prefix);
  pgDatabases.push(db);
  if (sql) await withPgClient(db.url, (c) => c.query(sql));
  return db;
}

function mongoDb(prefix: string): string {
  const name = uniqueMongoDbName(prefix);
  mongoDatabases.push(name);
  return name;
}

/** The namespaces an archive holds data for (stream names are `db.collection` or `db.collection#N`). */
async function archivedNamespaces(archive: string): Promise<string[]> {
  const { manifest } = await inspect(archive);
  return [...new Set(manifest.streams.map((s) => s.name.replace(/#\d+$/, '')))].sort();
}

describe('MongoDB restore with --ns-from/--ns-to', () => {
  it('asks and backs up the renamed namespaces it replaces, not the archived ones', async () => {
    const source = mongoDb('safety_src');
    const victim = mongoDb('safety_victim');
    await withMongoClient(async (client) => {
      await client
        .db(source)
        .collection('things')
        .insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, from: 'archive' })) as never[]);
      await client
        .db(source)
        .collection('other')
        .insertOne({ _id: 1 } as never);
      await client
        .db(victim)
        .collection('things')
        .insertOne({ _id: 'precious', keep: true } as never);
      await client
        .db(victim)
        .collection('bystander')
        .insertOne({ _id: 'untouched' } as never);
    });
    const repo = join(dir, 'mongo-rename');
    const { archive } = await backup({ source: mongoUrlFor(source), to: repo, preflight: false });
    const root = mongoUrl();
    const rename = ['--ns-from', `${source}.*`, '--ns-to', `${victim}.*`, '--ns-include', `${source}.things`];

    // No terminal, no --yes: refused, nothing written, no safety backup.
    const refused = await runCli(['restore', archive, root, ...rename, '--drop']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`would replace 1 existing collection`);
    expect(refused.stderr).toContain(`${victim}.things`);
    await withMongoClient(async (client) => {
      expect(
        await client
          .db(victim)
          .collection('things')
          .findOne({ _id: 'precious' } as never),
      ).not.toBeNull();
    });
    expect((await list({ repository: repo })).map((a) => a.kind)).toEqual(['scheduled']);

    // With --yes: the safety backup holds exactly the replaced victim.things, not the source database.
    const result = await runCli(['restore', archive, root, ...rename, '--drop', '--yes', '--json']);
    expect(result.stderr).not.toMatch(/stowage: /);
    expect(result.code).toBe(0);
    const out = result.json<{ safetyBackup?: string; items: number }>();
    expect(out.items).toBe(20);
    expect(out.safetyBackup).toBeDefined();
    expect(await archivedNamespaces(out.safetyBackup as string)).toEqual([`${victim}.things`]);
    await withMongoClient(async (client) => {
      expect(await client.db(victim).collection('things').countDocuments()).toBe(20);
      expect(await client.db(victim).collection('bystander').countDocuments()).toBe(1);
    });
  });

  it('an --ns-include that matches nothing is a usage error naming it', async () => {
    const source = mongoDb('safety_nomatch');
    await withMongoClient((client) =>
      client
        .db(source)
        .collection('c')
        .insertOne({ _id: 1 } as never),
    );
    const { archive } = await backup({
      source: mongoUrlFor(source),
      to: join(dir, 'nomatch'),
      preflight: false,
    });
    const target = mongoDb('safety_nomatch_dst');
    const run = await runCli(['restore', archive, mongoUrlFor(target), '--ns-include', `${source}.nosuch`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--ns-include "${source}.nosuch" matches no collection in the archive`);
  });
});

describe('PostgreSQL restore safety', () => {
  const schema = `CREATE TABLE items (id int PRIMARY KEY, name text);
    INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 30) g;
    CREATE TABLE tags (id int PRIMARY KEY);
    INSERT INTO tags SELECT g FROM generate_series(1, 5) g;`;

  it('refuses a non-empty target without --clean before taking any safety backup', async () => {
    const source = await pgDatabase('safety_pg_src', schema);
    const target = await pgDatabase(
      'safety_pg_dst',
      'CREATE TABLE mine (id int); INSERT INTO mine VALUES (1)',
    );
    const repo = join(dir, 'pg-order');
    const { archive } = await backup({ source: source.url, to: repo, preflight: false });
    const run = await runCli(['restore', archive, target.url, '--yes']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/is not empty/);
    // Nothing but the archive itself: no -manual safety backup was written before the refusal.
    expect((await readdir(repo)).filter((f) => f.endsWith('.stow'))).toHaveLength(1);
  });

  it('on a terminal, asks with the tables it replaces; a no writes nothing and takes no safety backup', async () => {
    const source = await pgDatabase('safety_pg_ask', schema);
    const target = await pgDatabase(
      'safety_pg_ask_dst',
      'CREATE TABLE items (id int); INSERT INTO items VALUES (42)',
    );
    const repo = join(dir, 'pg-ask');
    const { archive } = await backup({ source: source.url, to: repo, preflight: false });
    const { prompt, asked } = scriptedPrompter({ confirm: [false] });
    const run = await runCli(['restore', archive, target.url, '--clean'], { interactive: true, prompt });
    expect(asked).toHaveLength(1);
    expect(run.stderr).toMatch(/the restore replaces 1 existing table \(public\.items\)/);
    expect(run.stderr).toMatch(/restore declined; nothing was written/);
    // A "no" is a refusal (1), not a signal (130).
    expect(run.code).toBe(1);
    const no = scriptedPrompter({ confirm: [false] });
    const json = await runCli(['restore', archive, target.url, '--clean', '--json'], {
      interactive: true,
      prompt: no.prompt,
    });
    expect(json.code).toBe(1);
    expect(json.json()).toEqual({
      error: { code: 'declined', message: 'restore declined; nothing was written' },
    });
    const rows = await withPgClient(target.url, async (c) => (await c.query('SELECT id FROM items')).rows);
    expect(rows).toEqual([{ id: 42 }]);
    expect((await readdir(repo)).filter((f) => f.endsWith('.stow'))).toHaveLength(1);
  });

  it('--table matching nothing is a usage error; a key for an unencrypted archive is a warning', async () => {
    const source = await pgDatabase('safety_pg_sel', schema);
    const { archive } = await backup({ source: source.url, to: join(dir, 'pg-sel'), preflight: false });
    const target = await pgDatabase('safety_pg_sel_dst');
    const run = await runCli(['restore', archive, target.url, '--table', 'nosuchtable']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--table "nosuchtable" matches nothing in the archive');
    expect(run.stdout).not.toMatch(/restored 0/);

    const keyed = await restore({
      archive,
      target: target.url,
      encryption: { passphrase: 'not needed' },
      safetyBackup: false,
    });
    expect(keyed.warnings).toContain(
      'a key or passphrase was given, but the archive is not encrypted; it was not used',
    );
  });

  it('--latest with several databases restores the newest archive of the database the target names', async () => {
    const repo = join(dir, 'pg-latest');
    const a = await pgDatabase('safety_pg_a', schema);
    const b = await pgDatabase('safety_pg_b', 'CREATE TABLE only_b (id int)');
    const fromA = await backup({ source: a.url, to: repo, preflight: false });
    await backup({ source: b.url, to: repo, preflight: false });
    // The newest archive in the repository is b's; the target is named after a.
    await a.drop();
    const run = await runCli(['restore', repo, '--latest', a.url, '--create']);
    expect(run.stderr).not.toMatch(/stowage: /);
    expect(run.code).toBe(0);
    // Human output goes to stderr and names the archive it restores.
    expect(run.stderr).toContain(`restoring ${fromA.archive}`);
    expect(run.stderr).toContain(`from ${fromA.archive}`);
    const rows = await withPgClient(
      a.url,
      async (c) => (await c.query('SELECT count(*)::int AS n FROM items')).rows,
    );
    expect(rows[0].n).toBe(30);

    // A target named after neither database: refused, asking for --database.
    const other = await pgDatabase('safety_pg_neither');
    const refused = await runCli(['restore', repo, '--latest', other.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds archives of 2 databases .*--database/s);
  });
});
