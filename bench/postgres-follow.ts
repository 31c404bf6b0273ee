import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { type BenchCase, defineScenario } from './lib/harness.js';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

interface LoadArgs {
  /** Superuser URL of a PostgreSQL 15 with wal_level=logical; the task makes and drops its own databases. */
  url: string;
  pgbench: string;
  /** pgbench -c. */
  clients: number;
  /** pgbench -i -s. */
  scale: number;
  /** How long the write load runs at most; `follow` is killed at a random moment in its last 30 %. */
  seconds: number;
}

interface FollowArgs extends LoadArgs {
  /** The built CLI (dist/bundle/bin.js). */
  bin: string;
  segmentSeconds: number;
  /** pgbench --rate (transactions per second); 0 = as fast as it goes. */
  rate: number;
}

function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh pgbench database. pgbench_history has no primary key, which `follow`
 * refuses (logical decoding could not match its rows on replay); a bigserial
 * key is the usual fix and leaves pgbench's own INSERT (named columns) as it is.
 */
async function makeLoadDatabase(args: LoadArgs, database: string): Promise<string> {
  await withClient(args.url, (c) => c.query(`CREATE DATABASE ${database}`));
  const url = databaseUrl(args.url, database);
  await run(args.pgbench, ['-i', '-q', '-s', String(args.scale), url], { maxBuffer: 16 << 20 });
  await withClient(url, (c) => c.query('ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY'));
  return url;
}

/** Drops what the task made: the slots `follow` left behind (a kill -9 leaves them), then the databases. */
async function dropLoadDatabases(adminUrl: string, databases: string[]): Promise<void> {
  await withClient(adminUrl, async (c) => {
    for (const database of databases) {
      // The walsender of a killed follow takes a moment to notice and release its slot.
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await c.query(
            'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1',
            [database],
          );
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
}

/** Rows pgbench committed (one per transaction) and the start time of the last one, ms since the epoch. */
async function historyRows(url: string): Promise<{ rows: number; lastMs: number }> {
  return withClient(url, async (c) => {
    const r = await c.query(
      'SELECT count(*)::bigint AS n, (extract(epoch FROM max(mtime)) * 1000)::float8 AS last FROM pgbench_history',
    );
    return { rows: Number(r.rows[0].n), lastMs: Number(r.rows[0].last) };
  });
}

function vmKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

interface ChainJson {
  id: string;
  segments: { name: string; lastCommitAt?: string }[];
  window?: { to: string };
}

/**
 * One run: pgbench writes at `rate` while `stowage follow` (the built CLI)
 * stores every change; at a random moment both are killed with SIGKILL at once
 * (the machine died), and the repository's window is compared with the
 * source's last commit. Then `restore --until latest` replays it all into a new
 * database.
 */
async function followRun(args: FollowArgs) {
  const tag = `${process.pid}_${Date.now() % 1_000_000}`;
  const source = `stowage_bench_follow_${tag}`;
  const target = `stowage_bench_replay_${tag}`;
  const repository = await mkdtemp(join(tmpdir(), 'stowage-bench-follow-'));
  // follow's stderr, kept only when the run fails.
  const followLogPath = join(tmpdir(), `${source}.follow.log`);
  const followLog = await open(followLogPath, 'w');
  let succeeded = false;
  let followProcess: ChildProcess | undefined;
  let load: ChildProcess | undefined;
  try {
    const sourceUrl = await makeLoadDatabase(args, source);
    followProcess = spawn(
      process.execPath,
      [
        args.bin,
        'follow',
        sourceUrl,
        '--to',
        repository,
        '--segment-seconds',
        String(args.segmentSeconds),
        '--json',
      ],
      { stdio: ['ignore', 'pipe', followLog.fd] },
    );
    const follower = followProcess;
    const published = new Map<string, number>();
    let baseDone: () => void = () => {};
    const started = new Promise<void>((resolve, reject) => {
      baseDone = resolve;
      follower.once('exit', (code) =>
        reject(new Error(`follow exited early (${code}); see ${followLogPath}`)),
      );
    });
    createInterface({ input: follower.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { type: string; name?: string };
      if (event.type === 'chain-started') baseDone();
      if (event.type === 'segment' && event.name) published.set(event.name, Date.now());
    });
    await started;

    const loadArgs = ['-n', '-c', String(args.clients), '-j', '1', '-T', String(args.seconds + 60)];
    if (args.rate > 0) loadArgs.push('-R', String(args.rate));
    const writeStart = Date.now();
    load = spawn(args.pgbench, [...loadArgs, sourceUrl], { stdio: 'ignore' });
    const killAtMs = args.seconds * 1000 * (0.7 + 0.3 * Math.random());
    const rss: { at: number; kib: number }[] = [];
    while (Date.now() - writeStart < killAtMs) {
      await new Promise((r) => setTimeout(r, Math.min(1000, killAtMs - (Date.now() - writeStart))));
      rss.push({ at: Date.now() - writeStart, kib: vmKiB(follower.pid!, 'VmRSS') });
    }
    const peakKiB = vmKiB(follower.pid!, 'VmHWM');
    // The machine dies: writes stop and follow gets no chance to publish its open segment.
    load.kill('SIGKILL');
    follower.kill('SIGKILL');
    const killedAt = Date.now();
    await Promise.all([exited(load), exited(follower)]);
    // Backends finish the transaction they were in; let them, then read the source's last commit.
    await new Promise((r) => setTimeout(r, 500));
    const written = await historyRows(sourceUrl);

    const { stdout } = await run(process.execPath, [args.bin, 'list', repository, '--json'], {
      maxBuffer: 64 << 20,
    });
    const listed = JSON.parse(stdout) as { chains?: ChainJson[] };
    const chain = listed.chains?.[0];
    if (!chain) throw new Error(`no chain in ${repository}: ${stdout.slice(0, 500)}`);
    const windowTo = chain.window ? Date.parse(chain.window.to) : writeStart;

    // How far behind the source each segment was when it landed: its last commit against its publication.
    const lags = chain.segments
      .filter((s) => s.lastCommitAt && published.has(s.name))
      .map((s) => (published.get(s.name)! - Date.parse(s.lastCommitAt!)) / 1000);
    const third = Math.max(1, Math.floor(lags.length / 3));
    const half = (xs: typeof rss, second: boolean) =>
      Math.max(...xs.filter((x) => x.at > killAtMs / 2 === second).map((x) => x.kib), 0) / 1024;

    const restoreStart = performance.now();
    await run(
      process.execPath,
      [
        args.bin,
        'restore',
        repository,
        databaseUrl(args.url, target),
        '--until',
        'latest',
        '--create',
        '--yes',
      ],
      { maxBuffer: 64 << 20 },
    );
    const restoreS = (performance.now() - restoreStart) / 1000;
    const restored = await historyRows(databaseUrl(args.url, target));
    const writeS = (killedAt - writeStart) / 1000;

    succeeded = true;
    return {
      metrics: {
        rpoS: round(Math.max(0, written.lastMs - windowTo) / 1000),
        writeS: round(writeS, 1),
        tps: round(written.rows / writeS, 1),
        rows: written.rows,
        restoredRows: restored.rows,
        replayS: round(restoreS),
        replayVsWrite: round(restoreS / writeS, 3),
        segments: chain.segments.length,
        segLagFirstS: round(mean(lags.slice(0, third))),
        segLagLastS: round(mean(lags.slice(-third))),
        segLagMaxS: lags.length ? round(Math.max(...lags)) : Number.NaN,
        followPeakRssMiB: round(peakKiB / 1024, 1),
        followRssFirstHalfMiB: round(half(rss, false), 1),
        followRssSecondHalfMiB: round(half(rss, true), 1),
      },
    };
  } finally {
    if (load && load.exitCode === null) load.kill('SIGKILL');
    if (followProcess && followProcess.exitCode === null) followProcess.kill('SIGKILL');
    await followLog.close();
    if (succeeded) await rm(followLogPath, { force: true });
    await dropLoadDatabases(args.url, [source, target]);
    await rm(repository, { recursive: true, force: true });
  }
}

/** pgbench alone on the same kind of database, as fast as it goes: the ceiling `follow` is compared with. */
async function pgbenchAlone(args: LoadArgs) {
  const database = `stowage_bench_pgbench_${process.pid}_${Date.now() % 1_000_000}`;
  try {
    const url = await makeLoadDatabase(args, database);
    const started = Date.now();
    await run(args.pgbench, ['-n', '-c', String(args.clients), '-j', '1', '-T', String(args.seconds), url]);
    const writeS = (Date.now() - started) / 1000;
    const written = await historyRows(url);
    return {
      metrics: { writeS: round(writeS, 1), tps: round(written.rows / writeS, 1), rows: written.rows },
    };
  } finally {
    await dropLoadDatabases(args.url, [database]);
  }
}

const list = (text: string) => text.split(',').map(Number);

/**
 * PostgreSQL continuous backup (`stowage follow`) under a steady pgbench
 * (TPC-B-like) write load, the figures of issue 12:
 *
 * - rpoS: the committed data lost when the machine dies. At a random moment in
 *   the last 30 % of the load, pgbench and follow are killed together (SIGKILL,
 *   no clean stop); the source's last commit (max(pgbench_history.mtime)) minus
 *   the end of the window the repository holds (`list --json`).
 * - tps vs the pgbench-alone case; segLagFirstS / segLagLastS: how far behind
 *   the source the first and last third of the segments were when published
 *   (publication time minus their last commit). Keeping up: the last third is
 *   no later than the first; a growing lag means follow falls behind.
 * - replayS: `restore --until latest` into a new database (base of the
 *   pgbench tables, then every change) against writeS, the time the load ran.
 * - followPeakRssMiB: follow's VmHWM at the kill; RSS first/second half: flat?
 *
 * Options (--set): url (default STOWAGE_BENCH_PG_URL, else STOWAGE_TEST_PG_URL;
 * wal_level=logical), seconds (load length, default 60), segments (list of
 * --segment-seconds, default 5,15), rates (pgbench --rate list, 0 = unthrottled,
 * default 100,0), clients (2), scale (1), pgbench (path). The CLI must be built
 * (`npm run build`). Each run takes seconds + base + restore; use
 * `--runs 1 --warmup 0` unless you want several.
 */
export const scenario = defineScenario({
  name: 'pg-follow',
  description:
    'stowage follow (PostgreSQL logical decoding) under pgbench: RPO after kill -9, lag vs write rate, replay time, follow RSS',
  async prepare(options) {
    const v = options.values;
    const url = v.url ?? process.env.STOWAGE_BENCH_PG_URL ?? process.env.STOWAGE_TEST_PG_URL;
    if (!url)
      throw new Error('pg-follow needs a PostgreSQL URL: --set url=postgres://… or STOWAGE_BENCH_PG_URL');
    const bin = join(repoRoot, 'dist', 'bundle', 'bin.js');
    if (!existsSync(bin))
      throw new Error(`pg-follow runs the built CLI: ${bin} is missing, run npm run build`);
    const load: LoadArgs = {
      url,
      pgbench: v.pgbench ?? DEFAULT_PGBENCH,
      clients: Number(v.clients ?? 2),
      scale: Number(v.scale ?? 1),
      seconds: Number(v.seconds ?? (options.quick ? 15 : 60)),
    };
    const segments = list(v.segments ?? (options.quick ? '5' : '5,15'));
    const rates = list(v.rates ?? (options.quick ? '50' : '100,0'));
    const cases: BenchCase[] = [{ id: 'pgbench-alone', bytes: 0, run: { task: 'pgbenchAlone', args: load } }];
    for (const rate of rates)
      for (const segmentSeconds of segments)
        cases.push({
          id: `follow-seg${segmentSeconds}-${rate ? `rate${rate}` : 'unthrottled'}`,
          bytes: 0,
          run: { task: 'followRun', args: { ...load, bin, segmentSeconds, rate } satisfies FollowArgs },
        });
    return cases;
  },
  tasks: { followRun, pgbenchAlone },
});
