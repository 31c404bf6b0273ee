/**
 * PostgreSQL bench (issue 3): stowage backup and restore against pg_dump,
 * pg_restore and the raw COPY ceiling, on the same server and dataset.
 *
 *   npm run bench -- postgres                                  scale 30 + 1,000,000 mixed rows
 *   npm run bench -- postgres --set scale=60 --set rows=2000000   the doubled dataset (RSS must stay flat)
 *   npm run bench -- postgres --set url=postgres://USER:PW@HOST:PORT/postgres   use that server
 *   npm run bench -- postgres --quick                          smoke run on a tiny dataset
 *
 * Without `url`, a private PostgreSQL is started from the installed binaries
 * (same settings as the test harness: fsync off, which favours no tool).
 * The dataset (bench/postgres-dataset.ts) is made once per server in a
 * database named after its size and reused.
 *
 * Cases:
 * - copy-ceiling: `psql -c 'COPY t TO STDOUT' ...` for every dataset table into
 *   /dev/null, one after the other: what reading the data costs at all.
 * - pg_dump-Fc, pg_dump-Fd-j2: the dump tool, custom format (one process)
 *   and directory format with two jobs.
 * - stowage-backup-jN: `backup()` into a .stow file (default level), ratio to copy-ceiling.
 * - stowage-engine-jN: the PostgreSQL engine alone, into a sink that drops the
 *   bytes (no compression, no file): the engine's share of a backup.
 * - pg_restore-j2: from the directory dump into an empty database.
 * - stowage-restore-jN: `restore()` of the archive into an empty database, ratio to pg_restore-j2.
 *
 * Options (--set KEY=VALUE): url, scale (30; 1 with --quick), rows (1000000;
 * 20000 with --quick), jobs (2), compression (the backup default, zstd 1).
 */

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_COMPRESSION_BY_ENGINE } from '../src/ops/backup.js';
import { type BenchCase, defineScenario, type TaskResult } from './lib/harness.js';
import { admin, benchServer, recreate, withDatabase } from './lib/pg-admin.js';
import { scratchDatabaseName } from './lib/scratch-names.js';
import { DATASET_TABLES, datasetPresent, findPgBinDir, generatePostgresDataset } from './postgres-dataset.js';

interface Started {
  stop(): Promise<void>;
}

let server: Started | undefined;
/** The restore cases' target, dropped by cleanup. */
let restoreTarget: { adminUrl: string; database: string } | undefined;

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(join(dir, f))).size;
  return total;
}

export const scenario = defineScenario({
  name: 'postgres',
  description:
    'PostgreSQL: stowage backup/restore vs pg_dump -Fc, pg_dump -Fd -j2 / pg_restore -j2 and the raw COPY ceiling (psql COPY of every table into /dev/null), on pgbench -i -s SCALE plus a ROWS-row mixed-type table.',

  async prepare(opts) {
    const quick = opts.quick;
    const scale = Number(opts.values.scale ?? (quick ? 1 : 30));
    const rows = Number(opts.values.rows ?? (quick ? 20_000 : 1_000_000));
    const jobs = Number(opts.values.jobs ?? 2);
    const compression = opts.values.compression ?? String(DEFAULT_COMPRESSION_BY_ENGINE.postgres);
    const bin = findPgBinDir();

    const chosen = await benchServer(opts.values.url, opts.log);
    if (chosen.stop) server = { stop: chosen.stop };
    const adminUrl = chosen.url;

    const datasetDb = `stowage_bench_s${scale}_r${rows}`;
    const sourceUrl = withDatabase(adminUrl, datasetDb);
    const exists = await admin(
      adminUrl,
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [datasetDb])).rowCount,
    );
    if (!exists) await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${datasetDb}"`));
    if (!(await datasetPresent(sourceUrl, { scale, rows }))) {
      opts.log(`generating the dataset in ${datasetDb} (scale ${scale}, ${rows} mixed rows)`);
      await generatePostgresDataset(sourceUrl, { scale, rows, log: opts.log });
    }
    const tableBytes = await admin(sourceUrl, async (c) => {
      const { rows: r } = await c.query<{ b: string }>(
        'SELECT sum(pg_table_size(oid))::text AS b FROM pg_class WHERE relname = ANY($1::text[])',
        [DATASET_TABLES],
      );
      return Number(r[0]?.b ?? 0);
    });
    opts.log(`dataset: ${(tableBytes / 1e6).toFixed(0)} MB of table data in ${datasetDb}`);

    const scratch = opts.scratchDir;
    const fcFile = join(scratch, 'dump.fc');
    const fdDir = join(scratch, 'dump.d');
    const stowFile = join(scratch, 'backup.stow');
    const restoreDb = scratchDatabaseName('stowage_bench_restore');
    restoreTarget = { adminUrl, database: restoreDb };
    const restoreUrl = withDatabase(adminUrl, restoreDb);

    // Inputs for the restore cases, made once, untimed.
    opts.log('making the inputs of the restore cases (pg_dump -Fd, a stowage archive)');
    const dump = spawnSync(join(bin, 'pg_dump'), ['-Fd', '-j2', '-f', fdDir, sourceUrl], {
      encoding: 'utf8',
    });
    if (dump.status !== 0) throw new Error(`pg_dump -Fd failed: ${dump.stderr}`);
    const restoreInput = join(scratch, 'restore-input.stow');
    const { backup } = await import('../src/index.js');
    await backup({
      source: sourceUrl,
      to: restoreInput,
      jobs,
      compression: compressionLevel(compression),
      preflight: false,
    });
    opts.log(
      `sizes: pg_dump -Fd ${(await dirBytes(fdDir)) / 1e6} MB, stowage archive ${statSync(restoreInput).size / 1e6} MB`,
    );

    const copies = DATASET_TABLES.flatMap((t) => ['-c', `COPY ${t} TO STDOUT`]);
    const cases: BenchCase[] = [
      {
        id: 'copy-ceiling',
        group: 'backup',
        label: 'psql COPY of every table to /dev/null',
        bytes: tableBytes,
        run: { command: join(bin, 'psql'), args: ['-q', '-X', sourceUrl, ...copies], stdoutTo: '/dev/null' },
      },
      {
        id: 'pg_dump-Fc',
        group: 'backup',
        label: 'pg_dump -Fc',
        bytes: tableBytes,
        baseline: 'copy-ceiling',
        run: { command: join(bin, 'pg_dump'), args: ['-Fc', '-f', fcFile, sourceUrl] },
        afterEach: async () => {
          opts.log(`pg_dump -Fc: ${statSync(fcFile).size} bytes`);
          await rm(fcFile, { force: true });
        },
      },
      {
        id: 'pg_dump-Fd-j2',
        group: 'backup',
        label: 'pg_dump -Fd -j2',
        bytes: tableBytes,
        baseline: 'copy-ceiling',
        beforeEach: () => rm(join(scratch, 'dump2.d'), { recursive: true, force: true }),
        run: {
          command: join(bin, 'pg_dump'),
          args: ['-Fd', '-j2', '-f', join(scratch, 'dump2.d'), sourceUrl],
        },
      },
      {
        id: `stowage-backup-j${jobs}`,
        group: 'backup',
        label: `stowage backup --jobs ${jobs} (zstd ${compression})`,
        bytes: tableBytes,
        baseline: 'copy-ceiling',
        beforeEach: () => rm(stowFile, { force: true }),
        run: { task: 'backup', args: { url: sourceUrl, to: stowFile, jobs, compression } },
      },
      {
        id: `stowage-engine-j${jobs}`,
        group: 'backup',
        label: `engine alone --jobs ${jobs} (bytes dropped)`,
        bytes: tableBytes,
        baseline: 'copy-ceiling',
        run: { task: 'engineBackup', args: { url: sourceUrl, jobs } },
      },
      {
        id: 'pg_restore-j2',
        group: 'restore',
        label: 'pg_restore -j2 (directory dump)',
        bytes: tableBytes,
        beforeEach: () => recreate(adminUrl, restoreDb),
        run: { command: join(bin, 'pg_restore'), args: ['-j2', '-d', restoreUrl, fdDir] },
      },
      {
        id: `stowage-restore-j${jobs}`,
        group: 'restore',
        label: `stowage restore --jobs ${jobs}`,
        bytes: tableBytes,
        baseline: 'pg_restore-j2',
        beforeEach: () => recreate(adminUrl, restoreDb),
        run: { task: 'restore', args: { archive: restoreInput, target: restoreUrl, jobs } },
      },
    ];
    return cases;
  },

  async cleanup() {
    if (restoreTarget) {
      const { adminUrl, database } = restoreTarget;
      restoreTarget = undefined;
      // A failed drop must not keep a private server running.
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).catch(
        () => {},
      );
    }
    await server?.stop();
    server = undefined;
  },

  tasks: {
    async backup(args: { url: string; to: string; jobs: number; compression: string }): Promise<TaskResult> {
      const { backup } = await import('../src/index.js');
      const started = performance.now();
      const summary = await backup({
        source: args.url,
        to: args.to,
        jobs: args.jobs,
        compression: compressionLevel(args.compression),
        preflight: false,
      });
      const ms = performance.now() - started;
      return {
        ms,
        metrics: { archiveBytes: summary.bytes, rawBytes: summary.rawBytes, rows: summary.items },
      };
    },

    async engineBackup(args: { url: string; jobs: number }): Promise<TaskResult> {
      const { postgresEngine } = await import('../src/engines/postgres/engine.js');
      let bytes = 0;
      const streams = {
        open() {
          const w = new Writable({
            write(chunk: Buffer, _e, cb) {
              bytes += chunk.length;
              cb();
            },
          }) as Writable & { itemCount: number };
          w.itemCount = 0;
          return w;
        },
      };
      const started = performance.now();
      await postgresEngine.backup({
        url: args.url,
        streams,
        jobs: args.jobs,
        options: {},
        progress: () => {},
      });
      return { ms: performance.now() - started, metrics: { rawBytes: bytes } };
    },

    async restore(args: { archive: string; target: string; jobs: number }): Promise<TaskResult> {
      const { restore } = await import('../src/index.js');
      const started = performance.now();
      const summary = await restore({
        archive: args.archive,
        target: args.target,
        jobs: args.jobs,
        safetyBackup: false,
      });
      const ms = performance.now() - started;
      return { ms, metrics: { rows: Object.values(summary.items).reduce((a, b) => a + b, 0) } };
    },
  },
});

function compressionLevel(value: string): 'none' | number {
  return value === 'none' ? 'none' : Number(value);
}
