// `stowage bench` against the shared servers: its figures agree with a real
// backup of the same data, the budget cuts a big read short and extrapolates,
// --json prints one object, and the source is left as it was.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { backup } from '../../src/ops/backup.js';
import { type BenchReport, bench } from '../../src/ops/bench.js';
import { runCli } from '../cli/run-cli.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { until } from '../support/until.js';

let dir: string;
let small: TestPgDatabase;
let big: TestPgDatabase;
const mongoDb = uniqueMongoDbName('stowage_bench');

/** Row count and an order-independent content digest per table: what "unchanged" means here. */
async function pgFingerprint(url: string): Promise<Record<string, string>> {
  return withPgClient(url, async (client) => {
    const out: Record<string, string> = {};
    for (const t of ['items', 'notes', 'empty']) {
      const r = await client.query(
        `SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS f FROM public.${t} x`,
      );
      out[t] = r.rows[0].f;
    }
    return out;
  });
}

/** Manifest rows per table/collection of a real backup. */
function manifestRows(manifest: { streams: { name: string; items: number }[] }): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const s of manifest.streams) {
    if (s.name.startsWith('$')) continue;
    rows[s.name] = (rows[s.name] ?? 0) + s.items;
  }
  return rows;
}

function benchRows(report: BenchReport): Record<string, number> {
  return Object.fromEntries(report.units.map((u) => [u.unit, u.rows]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-bench-'));
  small = await createPgDatabase('stowage_bench_small');
  await withPgClient(small.url, (client) =>
    client.query(`
      CREATE TABLE items (id int PRIMARY KEY, label text, price numeric);
      INSERT INTO items SELECT g, md5(g::text), g * 1.25 FROM generate_series(1, 20000) g;
      CREATE TABLE notes (id int, body text);
      INSERT INTO notes SELECT g, repeat('note ', g % 50) FROM generate_series(1, 700) g;
      CREATE TABLE empty (id int);`),
  );
  big = await createPgDatabase('stowage_bench_big');
  await withPgClient(big.url, (client) =>
    client.query(`
      CREATE TABLE wide (id int, a text, b text);
      INSERT INTO wide SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 1500000) g;
      ANALYZE wide;`),
  );
  await withMongoClient(async (client) => {
    const db = client.db(mongoDb);
    await db
      .collection('people')
      .insertMany(Array.from({ length: 1500 }, (_, i) => ({ i, name: `person ${i}`, odd: i % 2 === 1 })));
    await db.collection('tags').insertMany(Array.from({ length: 40 }, (_, i) => ({ tag: `t${i}` })));
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([small, big].filter(Boolean).map((d) => d.drop()));
  await withMongoClient((client) => client.db(mongoDb).dropDatabase());
  await rm(dir, { recursive: true, force: true });
});

describe('stowage bench', () => {
  it('reports the rows and size a real PostgreSQL backup has, and leaves the source as it was', async () => {
    const before = await pgFingerprint(small.url);
    const report = await bench({ source: small.url, seconds: 60, levels: [1, 3, 9] });
    const real = await backup({ source: small.url, to: join(dir, 'small.stow'), compression: 1 });

    expect(report.sampled).toBe(false);
    expect(report.units.every((u) => u.complete)).toBe(true);
    expect(benchRows(report)).toEqual(manifestRows(real.manifest));
    expect(report.read.rows).toBe(real.items);
    expect(report.read.bytes).toBe(real.rawBytes);
    expect(report.estimate.rows).toBe(real.items);
    expect(report.estimate.rawBytes).toBe(real.rawBytes);
    // The data compresses (md5 text), and the estimate at level 1 is the archive's size within reason
    // (the real archive adds a header, manifest and footer).
    expect(report.levels.map((l) => l.level)).toEqual([1, 3, 9]);
    for (const l of report.levels) expect(l.ratio).toBeLessThan(0.9);
    expect(report.estimate.archiveBytes).toBeGreaterThan(real.bytes * 0.5);
    expect(report.estimate.archiveBytes).toBeLessThan(real.bytes * 1.5);
    expect(report.source).not.toMatch(/stowage@|:stowage@/);
    expect(await pgFingerprint(small.url)).toEqual(before);
  });

  it('stops reading at the time budget and extrapolates the rest from the estimates', async () => {
    // The smallest budget that reads anything at all: how long the catalog takes depends on the
    // machine, and a budget long enough to read the whole table would test nothing.
    let report: Awaited<ReturnType<typeof bench>> | undefined;
    for (let seconds = 0.2; !report; seconds *= 2) {
      report = await bench({ source: big.url, seconds, levels: [1] }).catch((err: Error) => {
        if (seconds < 30 && /budget ended before .* read any data/.test(err.message)) return undefined;
        throw err;
      });
    }
    expect(report.sampled).toBe(true);
    const wide = report.units.find((u) => u.unit === 'public.wide');
    expect(wide?.complete).toBe(false);
    expect(wide!.rows).toBeLessThan(1_500_000);
    // reltuples after ANALYZE: the estimate is the table's row count, give or take.
    expect(wide!.estimatedRows).toBeGreaterThan(1_300_000);
    expect(report.estimate.rows).toBeGreaterThan(1_300_000);
    expect(report.estimate.rawBytes).toBeGreaterThan(report.read.bytes);
    expect(report.estimate.archiveBytes).toBeGreaterThan(0);
    const rows = await withPgClient(big.url, (c) => c.query('SELECT count(*)::int AS n FROM wide'));
    expect(rows.rows[0].n).toBe(1_500_000);
  });

  it('refuses a budget too short to see any table, with a hint', async () => {
    await expect(bench({ source: big.url, seconds: 0.001 })).rejects.toThrow(
      /budget ended before .* read any data/,
    );
  });

  it('a budget that runs out while the read waits leaves no server session behind', async () => {
    // Another session holds the table: the bench's sessions wait on the lock, which a dropped
    // connection alone does not end (the server notices a vanished client only when it writes).
    const locked = await createPgDatabase('stowage_bench_locked');
    try {
      await withPgClient(locked.url, (c) => c.query('CREATE TABLE t (id int); INSERT INTO t VALUES (1)'));
      await withPgClient(locked.url, async (holder) => {
        await holder.query('BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
        const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await expect(bench({ source: locked.url, seconds: 1, levels: [1] })).rejects.toThrow(
          /budget ended before .* read any data/,
        );
        const others = () =>
          withPgClient(pgUrlFor('postgres'), async (c) => {
            const r = await c.query(
              'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> $2',
              [locked.name, holderPid],
            );
            return r.rows[0].n as number;
          });
        // Bounded: bench has returned; only a session it failed to stop could still be there.
        await until(async () => (await others()) === 0, "the bench's sessions to be gone", 3000);
        await holder.query('ROLLBACK');
      });
    } finally {
      await locked.drop();
    }
  });

  it('reports the documents a real MongoDB backup has', async () => {
    const url = mongoUrlFor(mongoDb);
    // A budget that never cuts: a loaded FerretDB can take minutes just to list its catalog.
    const report = await bench({ source: url, seconds: 240, levels: [1, 6] });
    const real = await backup({ source: url, to: join(dir, 'mongo.stow') });
    expect(report.sampled).toBe(false);
    expect(benchRows(report)).toEqual({ [`${mongoDb}.people`]: 1500, [`${mongoDb}.tags`]: 40 });
    expect(report.read.rows).toBe(1540);
    const realData = Object.entries(manifestRows(real.manifest));
    expect(realData.reduce((n, [, v]) => n + v, 0)).toBe(1540);
    expect(report.estimate.archiveBytes).toBeGreaterThan(0);
    const count = await withMongoClient((c) => c.db(mongoDb).collection('people').countDocuments());
    expect(count).toBe(1500);
  }, 400_000);

  it('prints one JSON object with --json, and a table without', async () => {
    const run = await runCli(['bench', small.url, '--seconds', '60', '--levels', '1,6', '--json']);
    expect(run.code).toBe(0);
    const report = run.json<BenchReport>();
    expect(report.units.map((u) => u.unit).sort()).toEqual(['public.empty', 'public.items', 'public.notes']);
    expect(report.levels.map((l) => l.level)).toEqual([1, 6]);
    const text = await runCli(['bench', small.url, '--seconds', '60', '--levels', '1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/public\.items\s+20000/);
    expect(text.stdout).toMatch(/full backup at level 1/);
  });

  it('logs each step before the result table, in the order they happened (one terminal, 2>&1)', async () => {
    // The last step is logged in the tick the table is printed in: its line was held for the tick's end.
    const both: string[] = [];
    const code = await main(['bench', small.url, '--seconds', '60', '--levels', '1'], {
      stdout: { write: (s: string) => both.push(`out ${s}`) },
      stderr: { write: (s: string) => both.push(`err ${s}`) },
      interactive: false,
    });
    expect(code).toBe(0);
    const step = both.findIndex((s) => s.includes('compressing the sample'));
    const table = both.findIndex((s) => s.startsWith('out LEVEL'));
    expect(step).toBeGreaterThanOrEqual(0);
    expect(step).toBeLessThan(table);
  });

  it('rejects bad levels and budgets before connecting', async () => {
    const levels = await runCli(['bench', small.url, '--levels', '1,42']);
    expect(levels.code).toBe(2);
    expect(levels.stderr).toMatch(/--levels: "42"/);
    const seconds = await runCli(['bench', small.url, '--seconds', '0']);
    expect(seconds.code).toBe(2);
  });

  it('times pg_dump on the same data with --compare', async () => {
    const report = await bench({ source: small.url, seconds: 60, levels: [1], compare: true });
    const run = report.compare?.[0];
    expect(run?.tool).toBe('pg_dump');
    if (!run?.found) return; // not installed here: the report says so and that is all
    expect(run.error).toBeUndefined();
    expect(run.bytes).toBeGreaterThan(0);
  });
});
