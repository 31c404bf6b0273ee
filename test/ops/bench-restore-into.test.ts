// `stowage bench --restore-into` and the per-table share of the budget, against the shared servers:
// the restore goes into a scratch database bench creates and drops, a database that exists is refused
// before anything is read, the restored figures are those of a real backup and restore of the same
// data, and a big table is sampled so the small ones still get read. No timings are asserted.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { type BenchReport, bench } from '../../src/ops/bench.js';
import { restore } from '../../src/ops/restore.js';
import { runCli } from '../cli/run-cli.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import {
  createPgDatabase,
  keywordConnString,
  pgUrlFor,
  type TestPgDatabase,
  withPgClient,
} from '../support/pg.js';

let dir: string;
let shop: TestPgDatabase;
let skewed: TestPgDatabase;
const mongoDb = uniqueMongoDbName('stowage_bench_ri');
const created: string[] = [];

/** A database name no one has: bench must create it. */
function scratchName(): string {
  const name = `stowage_bench_scratch_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  created.push(name);
  return name;
}

async function pgDatabaseExists(name: string): Promise<boolean> {
  return withPgClient(pgUrlFor('postgres'), async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return r.rowCount === 1;
  });
}

async function pgCounts(url: string, tables: string[]): Promise<Record<string, number>> {
  return withPgClient(url, async (c) => {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const r = await c.query(`SELECT count(*)::int AS n FROM ${t}`);
      out[t] = r.rows[0].n;
    }
    return out;
  });
}

const restoredRows = (r: BenchReport) =>
  Object.fromEntries((r.restore?.units ?? []).map((u) => [u.unit, u.rows]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-bench-ri-'));
  shop = await createPgDatabase('stowage_bench_ri_shop');
  await withPgClient(shop.url, (client) =>
    client.query(`
      CREATE TABLE customers (id int PRIMARY KEY, name text);
      INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 3000) g;
      CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, total numeric);
      CREATE INDEX orders_customer ON orders (customer);
      INSERT INTO orders SELECT g, 1 + g % 3000, g * 0.5 FROM generate_series(1, 12000) g;
      CREATE TABLE empty (id int);`),
  );
  // One big table and a few small ones: biggest first, the big one would take the whole budget.
  skewed = await createPgDatabase('stowage_bench_ri_skewed');
  await withPgClient(skewed.url, (client) =>
    client.query(`
      CREATE TABLE big (id int, a text, b text);
      INSERT INTO big SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 1500000) g;
      CREATE TABLE small_a (id int PRIMARY KEY, v text);
      INSERT INTO small_a SELECT g, md5(g::text) FROM generate_series(1, 500) g;
      CREATE TABLE small_b (id int PRIMARY KEY, v text);
      INSERT INTO small_b SELECT g, md5(g::text) FROM generate_series(1, 700) g;
      CREATE TABLE small_c (id int PRIMARY KEY, v text);
      INSERT INTO small_c SELECT g, md5(g::text) FROM generate_series(1, 900) g;
      CREATE TABLE parent (id int PRIMARY KEY, pad text);
      INSERT INTO parent SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 100000) g;
      CREATE TABLE child (id int, parent int REFERENCES parent, pad text);
      INSERT INTO child SELECT g, 1 + (g::int8 * 7919) % 100000, repeat(md5(g::text), 4) FROM generate_series(1, 300000) g;
      ANALYZE;`),
  );
  await withMongoClient(async (client) => {
    const db = client.db(mongoDb);
    await db
      .collection('people')
      .insertMany(Array.from({ length: 1500 }, (_, i) => ({ i, name: `person ${i}` })));
    await db.collection('tags').insertMany(Array.from({ length: 40 }, (_, i) => ({ tag: `t${i}` })));
  });
}, 240_000);

afterAll(async () => {
  await Promise.all([shop, skewed].filter(Boolean).map((d) => d.drop()));
  await withPgClient(pgUrlFor('postgres'), async (c) => {
    for (const name of created) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  await withMongoClient(async (client) => {
    await client.db(mongoDb).dropDatabase();
    for (const name of created) await client.db(name).dropDatabase();
  });
  await rm(dir, { recursive: true, force: true });
});

describe('stowage bench --restore-into', () => {
  it('restores into a scratch database it creates, with the rows and bytes of a real backup and restore, and drops it', async () => {
    const name = scratchName();
    const report = await bench({ source: shop.url, seconds: 60, levels: [1], restoreInto: pgUrlFor(name) });
    expect(await pgDatabaseExists(name)).toBe(false);
    expect(report.sampled).toBe(false);
    expect(report.restore?.target).not.toMatch(/:stowage@/);

    // The same data through a real backup and a real restore.
    const real = await backup({ source: shop.url, to: join(dir, 'shop.stow'), compression: 1 });
    const copy = scratchName();
    await restore({
      archive: real.archive,
      target: pgUrlFor(copy),
      engineOptions: { create: true, owner: false, acl: false },
      safetyBackup: false,
    });
    const counts = await pgCounts(pgUrlFor(copy), ['public.customers', 'public.orders', 'public.empty']);
    expect(restoredRows(report)).toEqual(counts);
    expect(report.restore?.total.rows).toBe(real.items);
    // Bytes loaded are the archive's raw bytes: exactly, since nothing was sampled.
    expect(report.restore?.total.bytes).toBe(real.rawBytes);
    expect(report.read.bytes).toBe(real.rawBytes);
    for (const u of report.restore?.units ?? []) expect(u.rows === 0 || u.rowsPerSecond > 0).toBe(true);
  });

  it('refuses a scratch database that exists, before reading, and leaves it as it was', async () => {
    const existing = await createPgDatabase('stowage_bench_ri_busy');
    try {
      await withPgClient(existing.url, (c) =>
        c.query('CREATE TABLE keep (id int); INSERT INTO keep VALUES (1)'),
      );
      await expect(
        bench({ source: shop.url, seconds: 60, levels: [1], restoreInto: existing.url }),
      ).rejects.toThrow(/scratch database .* holds 1 table.*refusing/);
      expect(await pgCounts(existing.url, ['public.keep'])).toEqual({ 'public.keep': 1 });
      // Empty but existing: still the user's database, not ours to drop.
      const empty = await createPgDatabase('stowage_bench_ri_empty');
      try {
        await expect(
          bench({ source: shop.url, seconds: 60, levels: [1], restoreInto: empty.url }),
        ).rejects.toThrow(/scratch database .* exists: refusing/);
        expect(await pgDatabaseExists(empty.name)).toBe(true);
      } finally {
        await empty.drop();
      }
    } finally {
      await existing.drop();
    }
  });

  it('refuses a scratch URL of another engine before connecting', async () => {
    await expect(
      bench({ source: shop.url, seconds: 60, restoreInto: mongoUrlFor('stowage_bench_nowhere') }),
    ).rejects.toThrow(/--restore-into needs a postgres URL/);
  });

  it('restores MongoDB collections into a scratch database and drops it', async () => {
    const name = scratchName();
    const report = await bench({
      source: mongoUrlFor(mongoDb),
      seconds: 240,
      levels: [1],
      restoreInto: mongoUrlFor(name),
    });
    expect(restoredRows(report)).toEqual({ [`${mongoDb}.people`]: 1500, [`${mongoDb}.tags`]: 40 });
    expect(report.restore?.total.bytes).toBe(report.read.bytes);
    const left = await withMongoClient(async (c) => (await c.db(name).listCollections().toArray()).length);
    expect(left).toBe(0);
    // A scratch database with collections is refused.
    await expect(
      bench({ source: mongoUrlFor(mongoDb), seconds: 240, levels: [1], restoreInto: mongoUrlFor(mongoDb) }),
    ).rejects.toThrow(/scratch database .* holds 2 collections/);
    expect(await withMongoClient((c) => c.db(mongoDb).collection('people').countDocuments())).toBe(1500);
  }, 600_000);

  it('with --compare also times createdb + pg_restore into the same scratch database, and drops it', async () => {
    const name = scratchName();
    const report = await bench({
      source: shop.url,
      seconds: 60,
      levels: [1],
      restoreInto: pgUrlFor(name),
      compare: true,
    });
    const run = report.compare?.[0];
    expect(run?.tool).toBe('pg_dump');
    if (!run?.found) return; // not installed here: the report says so and that is all
    expect(run.error).toBeUndefined();
    expect(run.restore?.tool).toBe('createdb + pg_restore');
    expect(run.restore?.error).toBeUndefined();
    expect(run.restore?.seconds).toBeGreaterThan(0);
    expect(await pgDatabaseExists(name)).toBe(false);
  });

  it('with --compare takes key=value connection strings for the source and the scratch database', async () => {
    const name = scratchName();
    const report = await bench({
      source: keywordConnString(shop.url, shop.name),
      seconds: 60,
      levels: [1],
      restoreInto: keywordConnString(shop.url, name),
      compare: true,
    });
    const run = report.compare?.[0];
    if (!run?.found) return; // not installed here: the report says so and that is all
    expect(run.error).toBeUndefined();
    // createdb went through the maintenance database: the scratch one named in the string does not exist yet.
    expect(run.restore?.error).toBeUndefined();
    expect(run.restore?.seconds).toBeGreaterThan(0);
    expect(await pgDatabaseExists(name)).toBe(false);
  });

  it('prints the restore in the table and in --json', async () => {
    const name = scratchName();
    const json = await runCli([
      'bench',
      shop.url,
      '--seconds',
      '60',
      '--levels',
      '1',
      '--json',
      '--restore-into',
      pgUrlFor(name),
    ]);
    expect(json.code).toBe(0);
    const report = json.json<BenchReport>();
    expect(report.restore?.units.map((u) => u.unit).sort()).toEqual([
      'public.customers',
      'public.empty',
      'public.orders',
    ]);
    const text = await runCli([
      'bench',
      shop.url,
      '--seconds',
      '60',
      '--levels',
      '1',
      '--restore-into',
      pgUrlFor(scratchName()),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/restore into .* \(dropped afterwards\)/);
    expect(text.stdout).toMatch(/public\.orders\s+12000/);
    expect(text.stdout).toMatch(/restore: 15000 rows/);
    expect(await pgDatabaseExists(name)).toBe(false);
  });
});

describe('stowage bench budget share', () => {
  it('samples a big table so the small ones are read whole, says what fraction, and extrapolates', async () => {
    const counts = await pgCounts(skewed.url, ['public.big']);
    // The smallest budget that gets through the catalog: it depends on the machine.
    let report: BenchReport | undefined;
    for (let seconds = 0.5; !report; seconds *= 2) {
      const r = await bench({ source: skewed.url, seconds, levels: [1] }).catch((err: Error) => {
        if (seconds < 60 && /budget ended before/.test(err.message)) return undefined;
        throw err;
      });
      if (r && !r.cut && r.units.find((u) => u.unit === 'public.big')?.fraction !== undefined) report = r;
      if (r && seconds >= 60) throw new Error('no budget sampled the big table');
    }
    expect(report.sampled).toBe(true);
    for (const t of ['public.small_a', 'public.small_b', 'public.small_c']) {
      expect(report.units.find((u) => u.unit === t)?.complete).toBe(true);
    }
    expect(report.units.find((u) => u.unit === 'public.small_c')?.rows).toBe(900);
    const big = report.units.find((u) => u.unit === 'public.big')!;
    expect(big.complete).toBe(false);
    expect(big.fraction).toBeGreaterThan(0);
    expect(big.fraction).toBeLessThan(1);
    expect(big.rows).toBeLessThan(counts['public.big']!);
    // Extrapolated: within 15% of the real count (reltuples after ANALYZE, or rows / fraction).
    expect(big.estimatedRows).toBeGreaterThan(counts['public.big']! * 0.85);
    expect(big.estimatedRows).toBeLessThan(counts['public.big']! * 1.15);
    expect(report.estimate.rows).toBeGreaterThan(report.read.rows);
  }, 300_000);

  it('restores a sampled read, foreign keys and all: the scratch gets exactly the rows read', async () => {
    // Budgets short enough that the parent and child tables are sampled (their rows then need not match).
    // The window lies between a budget the catalog does not fit (no sample to restore) and one that reads
    // the child whole; where it lies depends on the machine's load, so budgets grow in small steps, and the
    // child is three times the parent so that it needs a larger budget than the catalog to be read whole.
    let report: BenchReport | undefined;
    for (let seconds = 0.5; !report; seconds *= 1.5) {
      const name = scratchName();
      const r = await bench({ source: skewed.url, seconds, levels: [1], restoreInto: pgUrlFor(name) }).catch(
        (err: Error) => {
          if (seconds < 60 && /budget ended before/.test(err.message)) return undefined;
          throw err;
        },
      );
      expect(await pgDatabaseExists(name)).toBe(false);
      if (r?.units.find((u) => u.unit === 'public.child')?.fraction !== undefined) report = r;
      else if (seconds >= 60) throw new Error('no budget sampled the child table');
    }
    const read = Object.fromEntries(report.units.map((u) => [u.unit, u.rows]));
    expect(restoredRows(report)).toEqual(read);
    expect(report.restore?.total.bytes).toBe(report.read.bytes);
  }, 300_000);
});
