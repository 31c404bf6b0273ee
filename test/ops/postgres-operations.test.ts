import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { list } from '../../src/ops/list.js';
import { restore } from '../../src/ops/restore.js';
import { status } from '../../src/ops/status.js';
import { verify } from '../../src/ops/verify.js';
import { runCli } from '../cli/run-cli.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { createTestBucket, s3Options } from '../support/s3.js';

let dir: string;
let shop: TestPgDatabase;
const dropLater: TestPgDatabase[] = [];

async function seed(url: string, orders: number): Promise<void> {
  await withPgClient(url, async (c) => {
    await c.query(`
      CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, tags text[]);
      CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2), placed timestamptz, data jsonb);
      INSERT INTO customers (name, tags) SELECT 'customer ' || g, CASE WHEN g % 2 = 0 THEN ARRAY['a','b'] END FROM generate_series(1, 50) g;
      INSERT INTO orders (customer_id, total, placed, data)
        SELECT 1 + g % 50, g * 1.25, timestamptz '2026-01-01' + g * interval '1 hour', jsonb_build_object('n', g)
        FROM generate_series(1, ${orders}) g;`);
  });
}

/** Fills the file system of `path` with one file until only `leave` bytes are free. */
async function fillLeaving(path: string, leave: number): Promise<void> {
  const fs = await statfs(path.slice(0, path.lastIndexOf('/')));
  const fill = fs.bavail * fs.bsize - leave;
  const f = await open(path, 'w');
  try {
    await f.write(Buffer.alloc(fill));
  } finally {
    await f.close();
  }
}

async function count(url: string, table: string): Promise<number> {
  return withPgClient(url, async (c) =>
    Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-pg-ops-'));
  shop = await createPgDatabase('stowage_ops_shop');
  await seed(shop.url, 3000);
});
afterAll(async () => {
  for (const db of [shop, ...dropLater]) await db?.drop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('operations on a real PostgreSQL server', () => {
  it('backs up into S3, verifies with a restore test into a scratch database, and drops it', async () => {
    const bucket = await createTestBucket('stowage-pg');
    const repository = `s3://${bucket}/prod`;
    const summary = await backup({
      source: shop.url,
      to: repository,
      stores: { s3: { ...s3Options(), partSizeMiB: 5 } },
    });
    expect(summary.archive).toMatch(new RegExp(`^s3://${bucket}/prod/${shop.name}-\\d{8}-\\d{6}\\.stow$`));
    expect(summary.preflight.map((c) => c.check)).toEqual([
      'repository-writable',
      'free-space',
      'source-reachable',
    ]);
    const scratchName = `${shop.name}_verify`;
    const scratch = pgUrlFor(scratchName);
    const result = await verify({
      archive: summary.archive,
      stores: { s3: s3Options() },
      restoreTest: scratch,
    });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.restoreTest?.units.map((u) => [u.unit, u.archiveItems, u.databaseItems, u.match])).toEqual(
      expect.arrayContaining([
        [expect.stringMatching(/customers/), 50, 50, true],
        [expect.stringMatching(/orders/), 3000, 3000, true],
      ]),
    );
    // The scratch database is gone again.
    const exists = await withPgClient(
      shop.url,
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratchName])).rowCount,
    );
    expect(exists).toBe(0);
    const [listed] = await list({ repository, stores: { s3: s3Options() } });
    expect(listed?.verification).toMatchObject({ ok: true, level: 'restore-test' });
    expect((await status({ repository, stores: { s3: s3Options() } })).ok).toBe(true);
  });

  it('refuses a restore test into a database that holds data', async () => {
    const repo = join(dir, 'refuse');
    const { archive } = await backup({ source: shop.url, to: repo });
    const err = await verify({ archive, restoreTest: shop.url }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/scratch database .* is not empty .*refusing/);
    expect(await count(shop.url, 'orders')).toBe(3000);
  });

  it('takes a safety backup before restoring over a non-empty database', async () => {
    const repo = join(dir, 'safety');
    const { archive } = await backup({ source: shop.url, to: repo });
    const target = await createPgDatabase('stowage_ops_target');
    dropLater.push(target);
    // `customers` is in the archive, so --clean replaces it; `notes` is not, so it is left alone.
    await withPgClient(target.url, (c) =>
      c.query(
        `CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers SELECT g, 'old ' || g FROM generate_series(1, 7) g;
         CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 4) g`,
      ),
    );
    // Without a terminal and without --yes, the CLI refuses to restore over data.
    const refused = await runCli(['restore', archive, target.url, '--clean']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/would replace 1 existing table of .* \(public\.customers\): pass --yes/);
    expect(await count(target.url, 'customers')).toBe(7);
    // Refused before the safety backup: no archive was written for it.
    expect((await list({ repository: repo })).filter((a) => a.kind === 'manual')).toHaveLength(0);

    const result = await runCli(['restore', archive, target.url, '--clean', '--yes', '--json']);
    expect(result.stderr).not.toMatch(/stowage: /);
    expect(result.code).toBe(0);
    const out = result.json<{ safetyBackup: string; items: number }>();
    expect(out.items).toBe(3050);
    expect(out.safetyBackup).toMatch(new RegExp(`${target.name}-\\d{8}-\\d{6}-manual\\.stow$`));
    expect(await count(target.url, 'orders')).toBe(3000);
    expect(await count(target.url, 'notes')).toBe(4);
    // The safety backup holds what the restore replaced (customers, not notes) and is a manual backup (never pruned).
    const safety = (await list({ repository: repo })).find((a) => a.location === out.safetyBackup);
    expect(safety).toMatchObject({ kind: 'manual', items: 7, note: expect.stringMatching(/safety backup/) });

    // --no-safety-backup skips it.
    const other = await createPgDatabase('stowage_ops_other');
    dropLater.push(other);
    await withPgClient(other.url, (c) => c.query('CREATE TABLE keep_me (id int)'));
    const again = await restore({
      archive,
      target: other.url,
      engineOptions: { clean: true },
      safetyBackup: false,
    });
    expect(again.safetyBackup).toBeUndefined();
    expect((await list({ repository: repo })).filter((a) => a.kind === 'manual')).toHaveLength(1);
  });

  it('fails cleanly when the disk fills up mid-backup, and status reports it', async (t) => {
    // A real full disk: the repository is a 1 MiB tmpfs with 16 KiB left, less than the archive needs.
    // (A symlink from the .partial to /dev/full no longer works: the .partial is created with O_EXCL.)
    const repo = join(dir, 'full');
    await mkdir(repo, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', repo], { stdio: 'pipe' });
    } catch (e) {
      console.warn(
        `skipped: a full disk is a small tmpfs, and mounting one needs root (${(e as Error).message.split('\n')[0]})`,
      );
      t.skip();
      return;
    }
    try {
      await fillLeaving(join(repo, 'filler'), 16 * 1024);
      const err = await backup({
        source: shop.url,
        to: repo,
        preflight: { abortBelowBytes: 0, warnBelowBytes: 0 },
      }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/no space left on device writing .*\.partial/);
      // Nothing that looks like a finished archive, and not even the partial file.
      expect((await readdir(repo)).filter((f) => f.endsWith('.stow') || f.endsWith('.partial'))).toEqual([]);
      const s = await status({ repository: repo });
      expect(s.ok).toBe(false);
      expect(s.databases[0]?.problems.join('\n')).toMatch(/last run failed at .*no space left on device/);
    } finally {
      execFileSync('umount', [repo]);
    }
  });

  it('refuses to start a backup when the repository has too little free space', async () => {
    const repo = join(dir, 'small');
    const err = await backup({
      source: shop.url,
      to: repo,
      preflight: { abortBelowBytes: Number.MAX_SAFE_INTEGER },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/only .* free at .*small; a backup needs at least/);
    expect((await readdir(repo)).filter((f) => f.endsWith('.stow') || f.endsWith('.partial'))).toEqual([]);
  });

  it('reports an unreachable source before writing anything', async () => {
    const repo = join(dir, 'unreachable');
    const err = await backup({ source: 'postgres://app:topsecret@127.0.0.1:9/shop', to: repo }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:9\/shop/);
    expect((err as Error).message).not.toContain('topsecret');
  });
});
