// pg_restore's habits and numbers that stay true, through the CLI against real servers:
// restore from stdin, inspect --list/--sql, --exclude-table-data, manual kind,
// engine nouns, counts that agree between backup, restore, list and inspect.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { backupToMemory } from '../mongodb/support/engine.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { mongoUrl } from '../support/servers.js';
import { runCli } from './run-cli.js';

let dir: string;
let spoolDir: string;
let shop: TestPgDatabase;
const dropLater: TestPgDatabase[] = [];
const previousTmpdir = process.env.TMPDIR;

/** Runs the CLI with `input` as its stdin (a file's bytes, or nothing). */
async function runWithStdin(argv: string[], input: Readable) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    interactive: false,
    stdin: input,
  });
  return { code, stdout, stderr, all: stdout + stderr };
}

/** What restores from stdin left in $TMPDIR (child processes keep their own things there too). */
async function spooled(): Promise<string[]> {
  return (await readdir(spoolDir)).filter((n) => n.startsWith('stowage-stdin-'));
}

async function count(url: string, table: string): Promise<number> {
  return withPgClient(url, async (c) =>
    Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n),
  );
}

async function newTarget(prefix: string): Promise<TestPgDatabase> {
  const db = await createPgDatabase(prefix);
  dropLater.push(db);
  return db;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-cli-habits-'));
  // Spooled stdin archives go to $TMPDIR: a folder of this test's own, to see that nothing stays.
  spoolDir = join(dir, 'tmp');
  await mkdir(spoolDir);
  process.env.TMPDIR = spoolDir;
  shop = await createPgDatabase('stowage_habits');
  await withPgClient(shop.url, (c) =>
    c.query(`
      CREATE TABLE customers (id int PRIMARY KEY, name text);
      CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), note text);
      CREATE TABLE audit_log (id int, what text);
      CREATE INDEX orders_customer ON orders (customer_id);
      INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 40) g;
      -- about 5 MiB, so --table-part-size 1 copies it in parts
      INSERT INTO orders SELECT g, 1 + g % 40, repeat('x', 100) FROM generate_series(1, 40000) g;
      INSERT INTO audit_log SELECT g, 'event ' || g FROM generate_series(1, 25) g;
      ANALYZE;`),
  );
});
afterAll(async () => {
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
  for (const db of [shop, ...dropLater]) await db?.drop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('pg_restore habits', () => {
  let archive: string;

  beforeAll(async () => {
    const made = await runCli(['backup', shop.url, '--to', join(dir, 'repo'), '--json']);
    expect(made.code, made.stderr).toBe(0);
    archive = made.json<{ archive: string }>().archive;
  });

  it('restores an archive piped in on stdin, and leaves no temporary file', async () => {
    const target = await newTarget('stowage_habits_stdin');
    const run = await runWithStdin(['restore', '-', target.url, '--json'], createReadStream(archive));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ units: 3, items: 40 + 40000 + 25 });
    expect(await count(target.url, 'orders')).toBe(40000);
    expect(await spooled()).toEqual([]);

    const listed = await runWithStdin(['inspect', '-', '--list'], createReadStream(archive));
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^; archive: {2}-$/m);
    expect(listed.stdout).toMatch(/table-data\s+public\.orders\s+40000 rows/);
  });

  it('works as a pipe between two processes: backup --to - | restore -', async () => {
    const target = await newTarget('stowage_habits_pipe');
    const env = { ...process.env, STOWAGE_DEBUG: '' };
    const cli = (args: string[], stdin: 'ignore' | 'pipe') =>
      spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
        cwd: process.cwd(),
        env,
        stdio: [stdin, 'pipe', 'pipe'],
      });
    const backup = cli(['backup', shop.url, '--to', '-'], 'ignore');
    const restore = cli(['restore', '-', target.url], 'pipe');
    backup.stdout!.pipe(restore.stdin!);
    backup.stderr!.resume();
    restore.stdout!.resume();
    let stderr = '';
    restore.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exits = await Promise.all(
      [backup, restore].map((p) => new Promise<number | null>((resolve) => p.on('close', resolve))),
    );
    expect(exits, stderr).toEqual([0, 0]);
    expect(stderr).toMatch(/restored 3 tables, 40065 rows from the archive on stdin/);
    expect(await count(target.url, 'orders')).toBe(40000);
  });

  it('writes nothing from a truncated or empty pipe', async () => {
    const whole = await readFile(archive);
    const target = await newTarget('stowage_habits_cut');
    const cut = await runWithStdin(
      ['restore', '-', target.url],
      Readable.from([whole.subarray(0, Math.floor(whole.length / 2))]),
    );
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/^stowage: .*(truncated|footer)/m);
    const tables = await withPgClient(target.url, async (c) =>
      Number((await c.query(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n),
    );
    expect(tables).toBe(0);

    const empty = await runWithStdin(['restore', '-', target.url], Readable.from([]));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('nothing arrived on stdin');
    expect(await spooled()).toEqual([]);
  });

  it('asks where the safety backup goes when the archive came from stdin', async () => {
    const target = await newTarget('stowage_habits_over');
    await withPgClient(target.url, (c) =>
      c.query('CREATE TABLE customers (id int); INSERT INTO customers VALUES (7)'),
    );
    const refused = await runWithStdin(
      ['restore', '-', target.url, '--clean', '--yes'],
      createReadStream(archive),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--safety-backup-to');
    expect(await count(target.url, 'customers')).toBe(1);

    const safety = join(dir, 'safety');
    const done = await runWithStdin(
      ['restore', '-', target.url, '--clean', '--yes', '--safety-backup-to', safety],
      createReadStream(archive),
    );
    expect(done.code, done.stderr).toBe(0);
    expect(await count(target.url, 'customers')).toBe(40);
    expect((await readdir(safety)).filter((n) => n.endsWith('-manual.stow'))).toHaveLength(1);
  });

  it('inspect --list prints the table of contents on stdout, for the whole archive or a selection', async () => {
    const whole = await runCli(['inspect', archive, '--list']);
    expect(whole.code, whole.stderr).toBe(0);
    const lines = whole.stdout.split('\n');
    expect(lines[0]).toBe(`; archive:  ${archive}`);
    expect(whole.stdout).toContain('; contents: ');
    expect(whole.stdout).toContain('data of 3 tables, 40065 rows');
    const row = (kind: string, name: string) =>
      lines.findIndex((l) => new RegExp(`^\\S+\\s+${kind}\\s+${name.replace('.', '\\.')}(\\s|$)`).test(l));
    // Restore order: the table, then its data, then its index and foreign key.
    expect(row('table', 'public.orders')).toBeGreaterThan(0);
    expect(row('table-data', 'public.orders')).toBeGreaterThan(row('table', 'public.orders'));
    expect(row('index', 'public.orders_customer')).toBeGreaterThan(row('table-data', 'public.orders'));
    expect(lines[row('table-data', 'public.orders')]).toMatch(/40000 rows, /);

    const some = await runCli(['inspect', archive, '--list', '--table', 'customers', '--json']);
    expect(some.code, some.stderr).toBe(0);
    const contents = some.json<{ contents: { kind: string; name: string; items?: number }[] }>().contents;
    expect(contents.filter((e) => e.kind === 'table').map((e) => e.name)).toEqual(['public.customers']);
    expect(contents.find((e) => e.kind === 'table-data')).toMatchObject({
      name: 'public.customers',
      items: 40,
    });

    const nothing = await runCli(['inspect', archive, '--list', '--table', 'nosuch']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('--table "nosuch" matches nothing');
  });

  it('inspect --sql prints the schema SQL of the archive or a selection, and it runs', async () => {
    const sql = await runCli(['inspect', archive, '--sql', '--table', 'orders', '--table', 'customers']);
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout).toContain('CREATE TABLE public.orders');
    expect(sql.stdout).toContain('CREATE TABLE public.customers');
    expect(sql.stdout).not.toContain('audit_log');
    expect(sql.stdout).toMatch(/CREATE INDEX orders_customer ON public\.orders/);
    // The printed SQL is what a restore runs: it builds the same tables in an empty database.
    const target = await newTarget('stowage_habits_sql');
    await withPgClient(target.url, (c) => c.query(sql.stdout));
    await withPgClient(target.url, (c) => c.query(`INSERT INTO customers VALUES (1, 'a')`));
    await expect(
      withPgClient(target.url, (c) => c.query('INSERT INTO orders VALUES (1, 99, null)')),
    ).rejects.toThrow(/foreign key/);

    // Owners come with the SQL as they come with a restore, unless --no-owner.
    expect(sql.stdout).toMatch(/ALTER TABLE public\.orders OWNER TO /);
    const unowned = await runCli(['inspect', archive, '--sql', '--no-owner']);
    expect(unowned.stdout).toContain('CREATE TABLE public.orders');
    expect(unowned.stdout).not.toContain('OWNER TO');

    const mixed = await runCli(['inspect', archive, '--sql', '--ns-include', 'a.*']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--ns-include applies to mongodb only');
  });

  it('--exclude-table-data keeps the table but not its rows, and says so', async () => {
    const made = await runCli([
      'backup',
      shop.url,
      '--to',
      join(dir, 'without-audit.stow'),
      '--exclude-table-data',
      'audit_*',
      '--json',
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.json<{ warnings: string[] }>().warnings).toEqual([
      'data of 1 table left out (--exclude-table-data): public.audit_log',
    ]);
    const target = await newTarget('stowage_habits_etd');
    const restored = await runCli(['restore', join(dir, 'without-audit.stow'), target.url]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await count(target.url, 'audit_log')).toBe(0);
    expect(await count(target.url, 'orders')).toBe(40000);
  });
});

describe('records and numbers that stay true', () => {
  it('a backup run by hand is manual unless --kind on-demand or --scheduled', async () => {
    const repo = join(dir, 'kinds');
    const byHand = await runCli(['backup', shop.url, '--to', repo, '--json', '--table', 'customers']);
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(byHand.json()).toMatchObject({ kind: 'manual', archive: expect.stringMatching(/-manual\.stow$/) });
    const cron = await runCli([
      'backup',
      shop.url,
      '--to',
      repo,
      '--json',
      '--scheduled',
      '--table',
      'customers',
    ]);
    expect(cron.code, cron.stderr).toBe(0);
    expect(cron.json()).toMatchObject({ kind: 'scheduled' });
    const both = await runCli(['backup', shop.url, '--to', repo, '--manual', '--scheduled']);
    expect(both.code).toBe(2);
    // Run by hand, and prunable: not called scheduled.
    const extra = await runCli([
      'backup',
      shop.url,
      '--to',
      repo,
      '--json',
      '--kind',
      'on-demand',
      '--table',
      'customers',
    ]);
    expect(extra.code, extra.stderr).toBe(0);
    expect(extra.json()).toMatchObject({
      kind: 'on-demand',
      archive: expect.stringMatching(/-on-demand\.stow$/),
    });
    const listed = await runCli(['list', repo, '--json']);
    expect(
      listed
        .json<{ archives: { kind: string }[] }>()
        .archives.map((a) => a.kind)
        .sort(),
    ).toEqual(['manual', 'on-demand', 'scheduled']);
  });

  it('counts a table copied in parts once, and backup, restore, list and inspect agree', async () => {
    const file = join(dir, 'parts.stow');
    const made = await runCli(['backup', shop.url, '--to', file, '--jobs', '2', '--table-part-size', '1']);
    expect(made.code, made.stderr).toBe(0);
    const inspected = await runCli(['inspect', file, '--json']);
    const manifest = inspected.json<{ streams: { name: string }[]; bytes: number }>();
    // The big table really went in parts, yet every message counts 3 tables.
    expect(manifest.streams.filter((s) => s.name.startsWith('public.orders')).length).toBeGreaterThan(1);
    const all = made.stdout + made.stderr;
    expect(all).toMatch(/backed up \S+: 3 tables, 40065 rows, /);
    expect(all).toMatch(/3 tables to process/);
    expect(all).not.toMatch(/rows\/documents|tables\/collections/);

    const target = await newTarget('stowage_habits_parts');
    const restored = await runCli(['restore', file, target.url, '--jobs', '2']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout + restored.stderr).toMatch(/restored 3 tables, 40065 rows from /);

    const backupJson = (
      await runCli(['backup', shop.url, '--to', join(dir, 'parts2.stow'), '--table-part-size', '1', '--json'])
    ).json<{ units: number; streams: number; items: number }>();
    const target2 = await newTarget('stowage_habits_parts2');
    const restoreJson = (await runCli(['restore', join(dir, 'parts2.stow'), target2.url, '--json'])).json<{
      units: number;
      streams: number;
      items: number;
    }>();
    expect(restoreJson.units).toBe(backupJson.units);
    expect(restoreJson.streams).toBe(backupJson.streams);
    expect(restoreJson.items).toBe(backupJson.items);

    // inspect shows the archive's size as list does.
    const human = await runCli(['inspect', file]);
    const { formatBytes } = await import('../../src/cli/format-bytes.js');
    expect(human.stdout + human.stderr).toContain(`${formatBytes(manifest.bytes)} archive`);
  });

  it('backup --to an existing file and verify of a non-archive fail in one line, leaving nothing', async () => {
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'not an archive\n');
    const backup = await runCli(['backup', shop.url, '--to', notes]);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toContain(`stowage: --to ${notes} is an existing file`);
    expect(backup.stderr).toMatch(/^hint: give a folder/m);
    expect(backup.stderr).not.toContain('EEXIST');

    const verify = await runCli(['verify', notes]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`stowage: not a stowage archive: ${notes}`);
    expect((await readdir(dir)).filter((n) => n.startsWith('notes.txt'))).toEqual(['notes.txt']);

    const piped = await runCli(['verify', '-']);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('does not read stdin');
  });
});

describe('MongoDB in its own words', () => {
  const dbName = uniqueMongoDbName('habits');
  const other = uniqueMongoDbName('habits_other');

  beforeAll(async () => {
    await withMongoClient(async (client) => {
      await client
        .db(dbName)
        .collection('items')
        .insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i, n: i })) as never[]);
      await client.db(dbName).collection('items').createIndex({ n: 1 }, { name: 'by_n' });
      await client
        .db(other)
        .collection('x')
        .insertOne({ _id: 1 } as never);
    });
  });
  afterAll(async () => {
    await withMongoClient(async (client) => {
      await client.db(dbName).dropDatabase();
      await client.db(other).dropDatabase();
    });
  });

  it('says collections and documents; --list shows collections and indexes; --sql is refused', async () => {
    const file = join(dir, 'mongo.stow');
    const made = await runCli(['backup', mongoUrlFor(dbName), '--to', file]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout + made.stderr).toMatch(/backed up \S+: 1 collection, 30 documents, /);
    expect(made.stdout + made.stderr).not.toMatch(/rows|tables/);

    const listing = await runCli(['inspect', file, '--list']);
    expect(listing.code, listing.stderr).toBe(0);
    expect(listing.stdout).toMatch(new RegExp(`collection\\s+${dbName}\\.items\\s+30 documents`));
    expect(listing.stdout).toMatch(new RegExp(`index\\s+${dbName}\\.items\\.by_n`));

    const selected = await runCli(['inspect', file, '--list', '--ns-exclude', `${dbName}.items`, '--json']);
    expect(selected.code, selected.stderr).toBe(0);
    expect(selected.json<{ contents: unknown[] }>().contents).toEqual([]);
    const none = await runCli(['inspect', file, '--list', '--ns-include', 'nosuch.*']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('matches nothing');

    const sql = await runCli(['inspect', file, '--sql']);
    expect(sql.code).toBe(2);
    expect(sql.stderr).toContain('--sql applies to PostgreSQL archives');

    const restored = await runCli([
      'restore',
      file,
      mongoUrl(),
      '--ns-from',
      `${dbName}.*`,
      '--ns-to',
      `${dbName}_copy.*`,
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout + restored.stderr).toMatch(/restored 1 collection, 30 documents from /);

    // Backup and restore count the same collections, streams and documents.
    const backedUp = await runCli([
      'backup',
      mongoUrlFor(dbName),
      '--to',
      join(dir, 'mongo2.stow'),
      '--json',
    ]);
    const again = await runCli([
      'restore',
      join(dir, 'mongo2.stow'),
      mongoUrl(),
      '--ns-from',
      `${dbName}.*`,
      '--ns-to',
      `${dbName}_copy2.*`,
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    const pick = (j: Record<string, unknown>) => ({ units: j.units, streams: j.streams, items: j.items });
    expect(pick(again.json())).toEqual(pick(backedUp.json()));
    expect(pick(again.json())).toMatchObject({ units: 1, items: 30 });
    await withMongoClient((client) => client.db(`${dbName}_copy2`).dropDatabase());
    await withMongoClient((client) => client.db(`${dbName}_copy`).dropDatabase());
  });

  it('measures backup progress in documents, not in collStats bytes the archive does not hold', async () => {
    const { events } = await backupToMemory(mongoUrlFor(dbName));
    const plan = events.find((e) => e.type === 'plan');
    expect(plan).toMatchObject({ summary: '1 collection' });
    expect(plan?.type === 'plan' && plan.units).toEqual([{ name: `${dbName}.items`, estimatedItems: 30 }]);
  });

  it('a server-level backup with --ns-include names only the databases it archived', async () => {
    const made = await runCli([
      'backup',
      mongoUrl(),
      '--to',
      join(dir, 'server.stow'),
      '--ns-include',
      `${dbName}.*`,
      '--json',
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.json<{ database: string }>().database).toBe(dbName);
  });
});
