import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveReader } from '../archive/reader.js';
import { StowageError } from '../errors.js';
import { ignoreProgress, type ProgressListener } from '../progress.js';
import { openArchiveSource } from '../store/destination.js';
import { backup } from './backup.js';
import { type ContentComparison, compareWithDatabase } from './content-check.js';
import { demoSeedSql } from './demo-seed.js';
import { restore } from './restore.js';
import { type VerifyResult, verify } from './verify.js';

export interface DemoOptions {
  /** Where the demo repository goes; default a temporary folder, removed afterwards. */
  dir?: string;
  /** Multiplies the sample data (1 = about 10,000 rows). */
  scale?: number;
  /** Keep the archive (and the folder) afterwards. Default: keep only when `dir` is given. */
  keep?: boolean;
  onProgress?: ProgressListener;
  /** One line per step, for the CLI. */
  onStep?: (line: string) => void;
  signal?: AbortSignal;
}

export interface DemoResult {
  ok: boolean;
  archive: string;
  archiveBytes: number;
  rawBytes: number;
  rows: number;
  tables: number;
  timings: { seedMs: number; backupMs: number; verifyMs: number; restoreMs: number; compareMs: number };
  verify: VerifyResult;
  comparison: ContentComparison;
  /** What the demo did differently from a restore into a real server, and why. */
  notes: string[];
  kept: boolean;
}

/** An embedded PostgreSQL (PGlite) served on a local port through pglite-socket. */
interface EmbeddedPostgres {
  url: string;
  exec(sql: string): Promise<void>;
  /** The data folder as a gzipped tarball, to start another instance from the same state. */
  dump(): Promise<Blob>;
  stop(): Promise<void>;
}

/**
 * The data folder of a freshly initialised PGlite, written by `npm run build`
 * (scripts/demo-datadir.mjs) next to the compiled code. Starting from it skips
 * PGlite's initdb, a second WebAssembly program that was most of the demo's time
 * and half its peak memory. Absent when running from the TypeScript sources.
 */
async function prebuiltDataDir(): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(new URL('../demo/pglite-datadir.tar.gz', import.meta.url))]);
  } catch {
    return undefined;
  }
}

async function startEmbeddedPostgres(dataDir: Blob | undefined): Promise<EmbeddedPostgres> {
  // Loaded on demand: the WebAssembly build is large and only the demo needs it.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  let db: InstanceType<typeof PGlite> | undefined;
  if (dataDir) {
    // A data folder from another PGlite version may not load; initdb then makes a new one.
    db = await PGlite.create({ loadDataDir: dataDir }).catch(() => undefined);
  }
  db ??= await PGlite.create();
  const pglite = db;
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) {
    await server.stop();
    await pglite.close();
    throw new StowageError('demo', `pglite-socket did not report its port (${conn})`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    dump: async () => (await pglite.dumpDataDir('gzip')) as Blob,
    stop: async () => {
      await server.stop();
      await pglite.close();
    },
  };
}

/**
 * The whole round trip on embedded PostgreSQL (PGlite), with no database
 * server installed: seed a sample shop database, back it up through the
 * PostgreSQL wire protocol exactly as a real server would be, verify the
 * archive frame by frame, restore it into a fresh, empty PGlite, and compare
 * every table's row count and content with the archive. Only one PGlite runs
 * at a time: the source stops before the target starts, from the same freshly
 * initialised data folder, which keeps the demo's peak memory to one instance.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const step = options.onStep ?? (() => {});
  const progress = options.onProgress ?? ignoreProgress;
  const scale = options.scale ?? 1;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'stowage-demo-')));
  const keep = options.keep ?? options.dir !== undefined;
  const notes: string[] = [];
  let source: EmbeddedPostgres | undefined;
  let target: EmbeddedPostgres | undefined;
  try {
    step('starting an embedded PostgreSQL (PGlite) and seeding a sample shop database');
    let freshDataDir = await prebuiltDataDir();
    source = await startEmbeddedPostgres(freshDataDir);
    // Kept before seeding, so the restore target starts empty without running initdb again.
    freshDataDir ??= await source.dump();
    let t = Date.now();
    await source.exec(demoSeedSql(scale));
    const seedMs = Date.now() - t;

    t = Date.now();
    step(`backing it up to ${join(dir, 'backups')}`);
    const summary = await backup({
      source: source.url,
      to: join(dir, 'backups'),
      jobs: 2,
      note: 'stowage demo',
      onProgress: progress,
      signal: options.signal,
      preflight: { abortBelowBytes: 16 * 1024 * 1024, warnBelowBytes: 64 * 1024 * 1024 },
    });
    const backupMs = Date.now() - t;

    t = Date.now();
    step('verifying every frame, checksum and stream of the archive');
    const verified = await verify({ archive: summary.archive, onProgress: progress, signal: options.signal });
    const verifyMs = Date.now() - t;
    if (!verified.ok) throw new StowageError('demo', `verification failed: ${verified.problems.join('; ')}`);

    await source.stop();
    source = undefined;
    step('restoring into a fresh, empty embedded PostgreSQL');
    target = await startEmbeddedPostgres(freshDataDir);
    t = Date.now();
    const restored = await restore({
      archive: summary.archive,
      target: target.url,
      jobs: 2,
      onProgress: progress,
      signal: options.signal,
      safetyBackup: false,
    });
    const restoreMs = Date.now() - t;
    for (const w of restored.warnings) notes.push(w);
    notes.push(
      'PGlite served through pglite-socket cannot take COPY FROM STDIN, so the restore wrote rows with batched multi-row INSERTs (the PostgreSQL engine chooses that path itself for PGlite targets); a real server gets parallel binary COPY.',
    );

    t = Date.now();
    step('comparing every table with the archive (row counts and content)');
    const reader = await ArchiveReader.open(await openArchiveSource(summary.archive), { threads: 0 });
    let comparison: ContentComparison;
    try {
      comparison = await compareWithDatabase(reader, target.url, { signal: options.signal });
    } finally {
      await reader.close();
    }
    const compareMs = Date.now() - t;
    return {
      ok: comparison.mismatches.length === 0,
      archive: summary.archive,
      archiveBytes: summary.bytes,
      rawBytes: summary.rawBytes,
      rows: summary.items,
      tables: summary.streams,
      timings: { seedMs, backupMs, verifyMs, restoreMs, compareMs },
      verify: verified,
      comparison,
      notes,
      kept: keep,
    };
  } finally {
    await target?.stop().catch(() => {});
    await source?.stop().catch(() => {});
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}
