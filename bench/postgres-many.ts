/**
 * PostgreSQL with many small tables (issue 14): the `stowage` CLI against
 * `pg_dump -Fc` and `pg_restore -j2`, whole processes side by side, at several
 * table counts so the growth with the number of objects shows.
 *
 *   npm run bench -- postgres-many                                   1,000 / 3,000 / 10,000 tables of 50 rows
 *   npm run bench -- postgres-many --set tables=20000 --set rows=0   20,000 empty tables
 *   npm run bench -- postgres-many --set url=postgres://USER:PW@HOST:PORT/postgres   use that server
 *   npm run bench -- postgres-many --quick                           200 tables, 1 run: checks the bench works
 *
 * Each table has an integer primary key, a secondary index, a foreign key to
 * another table and ROWS rows (bench/postgres-many-dataset.ts). Datasets are
 * made once per server, in databases named after their size, and reused.
 * Restore targets get this run's own suffix and are dropped at the end (also
 * after a failure or Ctrl-C), so two runs on one server keep apart.
 * Without `url` a private PostgreSQL is started from the installed binaries
 * (as the `postgres` scenario does).
 *
 * Cases, per table count N:
 * - pg_dump-Fc-N: `pg_dump -Fc -f FILE URL`.
 * - stowage-backup-N: `node dist-bundle/bin.js backup URL --to FILE.stow`, the
 *   CLI as users run it (built fresh from these sources), ratio to pg_dump-Fc-N.
 * - pg_restore-j2-N: `pg_restore -j2 -d URL` of the pg_dump file into a fresh empty database.
 * - stowage-restore-N: `stowage restore ARCHIVE URL --jobs 2` into a fresh
 *   empty database, ratio to pg_restore-j2-N. Both restore inputs are made once, untimed.
 *   After every restore run the target's tables, indexes, constraints, defaults
 *   and rows are counted against the source's (untimed): a run that restored
 *   less fails instead of looking fast.
 *
 * Options (--set KEY=VALUE): url, tables (1000,3000,10000; 200 with --quick),
 * rows (50), jobs (2, for both tools' restores and stowage's backup).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BenchCase, defineScenario } from './lib/harness.js';
import { admin, benchServer, publicShape, recreate, requireShape, withDatabase } from './lib/pg-admin.js';
import { scratchDatabaseName } from './lib/scratch-names.js';
import { findPgBinDir } from './postgres-dataset.js';
import { generateManyTables, manyTablesPresent } from './postgres-many-dataset.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..');
// Inside the repository, so the bundle resolves node_modules as an installed package does.
const buildDir = join(repoRoot, 'bench/results', `.many-${process.pid}`);

let server: { stop(): Promise<void> } | undefined;
const restoreDatabases: string[] = [];
let adminUrlForCleanup: string | undefined;

/** Runs the stowage CLI bundle once, untimed, failing with its stderr. */
async function stowage(bin: string, args: string[]): Promise<void> {
  await run(process.execPath, [bin, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

export const scenario = defineScenario({
  name: 'postgres-many',
  description:
    'PostgreSQL with thousands of small tables (primary key, index, foreign key, ROWS rows each): the stowage CLI backup and restore against pg_dump -Fc and pg_restore -j2, whole processes, at several table counts.',

  async prepare(opts) {
    const counts = (opts.values.tables ?? (opts.quick ? '200' : '1000,3000,10000')).split(',').map(Number);
    const rows = Number(opts.values.rows ?? 50);
    const jobs = Number(opts.values.jobs ?? 2);
    const bin = findPgBinDir();

    const chosen = await benchServer(opts.values.url, opts.log);
    if (chosen.stop) server = { stop: chosen.stop };
    const adminUrl = chosen.url;
    adminUrlForCleanup = adminUrl;

    opts.log('bundling the CLI from these sources');
    await rm(buildDir, { recursive: true, force: true });
    await mkdir(buildDir, { recursive: true });
    await run(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', buildDir]);
    const cli = join(buildDir, 'bin.js');

    const cases: BenchCase[] = [];
    for (const tables of counts) {
      const dataset = `stowage_bench_many_${tables}x${rows}`;
      const sourceUrl = withDatabase(adminUrl, dataset);
      const exists = await admin(
        adminUrl,
        async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [dataset])).rowCount,
      );
      if (!exists) await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${dataset}"`));
      if (!(await manyTablesPresent(sourceUrl, { tables, rows }))) {
        opts.log(`generating ${tables} tables of ${rows} rows in ${dataset}`);
        await generateManyTables(sourceUrl, { tables, rows, log: opts.log });
      }
      const bytes = await admin(sourceUrl, async (c) => {
        const { rows: r } = await c.query<{ b: string }>(
          `SELECT coalesce(sum(pg_catalog.pg_table_size(c.oid)), 0)::text AS b FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
        );
        return Number(r[0]?.b ?? 0);
      });

      // Each restore run is checked against it: both tools must restore everything, or the times say nothing.
      const shape = await publicShape(sourceUrl);
      const dumpFile = join(opts.scratchDir, `${tables}.dump`);
      const archive = join(opts.scratchDir, `${tables}.stow`);
      opts.log(`making the restore inputs for ${tables} tables (pg_dump -Fc, stowage backup)`);
      const dump = spawnSync(join(bin, 'pg_dump'), ['-Fc', '-f', dumpFile, sourceUrl], { encoding: 'utf8' });
      if (dump.status !== 0) throw new Error(`pg_dump -Fc failed: ${dump.stderr}`);
      await stowage(cli, ['backup', sourceUrl, '--to', archive, '--no-preflight']);

      const restoreDb = scratchDatabaseName(`stowage_bench_many_restore_${tables}`);
      restoreDatabases.push(restoreDb);
      const restoreUrl = withDatabase(adminUrl, restoreDb);
      const timedDump = join(opts.scratchDir, `timed-${tables}.dump`);
      const timedArchive = join(opts.scratchDir, `timed-${tables}.stow`);
      const group = `${tables} tables × ${rows} rows`;
      cases.push(
        {
          id: `pg_dump-Fc-${tables}`,
          group,
          label: 'pg_dump -Fc',
          bytes,
          beforeEach: () => rm(timedDump, { force: true }),
          run: { command: join(bin, 'pg_dump'), args: ['-Fc', '-f', timedDump, sourceUrl] },
        },
        {
          id: `stowage-backup-${tables}`,
          group,
          label: `stowage backup --jobs ${jobs}`,
          bytes,
          baseline: `pg_dump-Fc-${tables}`,
          beforeEach: () => rm(timedArchive, { force: true }),
          run: {
            command: process.execPath,
            args: [cli, 'backup', sourceUrl, '--to', timedArchive, '--jobs', String(jobs), '--no-preflight'],
          },
        },
        {
          id: `pg_restore-j2-${tables}`,
          group,
          label: 'pg_restore -j2',
          bytes,
          beforeEach: () => recreate(adminUrl, restoreDb),
          afterEach: () => requireShape(restoreUrl, shape, 'pg_restore -j2'),
          run: { command: join(bin, 'pg_restore'), args: ['-j2', '-d', restoreUrl, dumpFile] },
        },
        {
          id: `stowage-restore-${tables}`,
          group,
          label: `stowage restore --jobs ${jobs}`,
          bytes,
          baseline: `pg_restore-j2-${tables}`,
          beforeEach: () => recreate(adminUrl, restoreDb),
          afterEach: () => requireShape(restoreUrl, shape, 'stowage restore'),
          run: {
            command: process.execPath,
            args: [
              cli,
              'restore',
              archive,
              restoreUrl,
              '--jobs',
              String(jobs),
              '--no-safety-backup',
              '--yes',
            ],
          },
        },
      );
    }
    return cases;
  },

  async cleanup() {
    if (adminUrlForCleanup) {
      const url = adminUrlForCleanup;
      for (const db of restoreDatabases.splice(0))
        await admin(url, (c) => c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`)).catch(() => {});
    }
    await rm(buildDir, { recursive: true, force: true });
    await server?.stop();
    server = undefined;
  },
});
