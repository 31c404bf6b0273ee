/**
 * A small PostgreSQL database (issue 14): the `stowage` CLI against `pg_dump
 * -Fc` and `createdb` + `pg_restore -j2`, whole processes side by side, on
 * the database size test suites restore over and over (22 tables, ~200
 * objects, 3 MB of rows: bench/postgres-small-dataset.ts). At this size fixed
 * costs decide: process start-up, connection set-up, catalog round trips,
 * preflight checks, threads.
 *
 *   npm run bench -- postgres-small --runs 11
 *   npm run bench -- postgres-small --set url=postgres://USER:PW@HOST:PORT/postgres   use that server
 *   npm run bench -- postgres-small --set node=~/.cache/stowage/node/24.22.3/bin/node  run the CLI on that Node
 *   npm run bench -- postgres-small --quick                                            1 run: checks the bench works
 *
 * The dataset is made once per server (database `stowage_bench_small`) and
 * reused. Without `url` a private PostgreSQL is started from the installed
 * binaries (as the `postgres` scenario does).
 *
 * Cases:
 * - pg_dump-Fc: `pg_dump -Fc -f FILE URL`.
 * - stowage-backup: `node bin.js backup URL --to FILE.stow` (defaults, 2 jobs),
 *   the CLI as users run it, bundled fresh from these sources; ratio to pg_dump-Fc.
 * - stowage-backup-repository: the same into a repository folder (the README's
 *   form: preflight checks, a generated name, a run record).
 * - createdb+pg_restore-j2: `createdb` then `pg_restore -j2 -d` of the pg_dump
 *   file, one shell process timed whole.
 * - stowage-restore-create: `stowage restore ARCHIVE URL --create`; ratio to
 *   createdb+pg_restore-j2. The target is dropped before each run, untimed.
 *
 * Options (--set KEY=VALUE): url, node.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BenchCase, defineScenario } from './lib/harness.js';
import { admin, benchServer, withDatabase } from './lib/pg-admin.js';
import { scratchDatabaseName } from './lib/scratch-names.js';
import { findPgBinDir } from './postgres-dataset.js';
import { generateSmallDatabase, smallDatabasePresent } from './postgres-small-dataset.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..');
// Inside the repository, so the bundle resolves node_modules as an installed package does.
const buildDir = join(repoRoot, 'bench/results', `.small-${process.pid}`);
const DATASET = 'stowage_bench_small';
const TARGET = scratchDatabaseName('stowage_bench_small_restore');

let server: { stop(): Promise<void> } | undefined;
let adminUrlForCleanup: string | undefined;

const dropTarget = (adminUrl: string) =>
  admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${TARGET}" WITH (FORCE)`)).then(() => {});

export const scenario = defineScenario({
  name: 'postgres-small',
  description:
    'A small PostgreSQL database (22 tables, ~200 objects, 3 MB of rows): stowage backup against pg_dump -Fc, stowage restore --create against createdb + pg_restore -j2, whole processes.',

  async prepare(opts) {
    const bin = findPgBinDir();
    const node = opts.values.node ?? process.execPath;
    const chosen = await benchServer(opts.values.url, opts.log);
    if (chosen.stop) server = { stop: chosen.stop };
    const adminUrl = chosen.url;
    adminUrlForCleanup = adminUrl;

    const sourceUrl = withDatabase(adminUrl, DATASET);
    const exists = await admin(
      adminUrl,
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATASET])).rowCount,
    );
    if (!exists) await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${DATASET}"`));
    if (!(await smallDatabasePresent(sourceUrl))) {
      opts.log(`generating the small database in ${DATASET}`);
      await generateSmallDatabase(sourceUrl);
    }
    const bytes = await admin(sourceUrl, async (c) => {
      const { rows } = await c.query<{ b: string }>(
        `SELECT coalesce(sum(pg_catalog.pg_table_size(c.oid)), 0)::text AS b FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
      );
      return Number(rows[0]?.b ?? 0);
    });

    opts.log('bundling the CLI from these sources');
    await rm(buildDir, { recursive: true, force: true });
    await mkdir(buildDir, { recursive: true });
    await run(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', buildDir]);
    const cli = join(buildDir, 'bin.js');

    const dumpFile = join(opts.scratchDir, 'small.dump');
    const archive = join(opts.scratchDir, 'small.stow');
    opts.log('making the restore inputs (pg_dump -Fc, stowage backup)');
    const dump = spawnSync(join(bin, 'pg_dump'), ['-Fc', '-f', dumpFile, sourceUrl], { encoding: 'utf8' });
    if (dump.status !== 0) throw new Error(`pg_dump -Fc failed: ${dump.stderr}`);
    await run(node, [cli, 'backup', sourceUrl, '--to', archive]);

    const targetUrl = withDatabase(adminUrl, TARGET);
    const timedDump = join(opts.scratchDir, 'timed.dump');
    const timedArchive = join(opts.scratchDir, 'timed.stow');
    const repository = join(opts.scratchDir, 'repository');
    const cases: BenchCase[] = [
      {
        id: 'pg_dump-Fc',
        group: 'backup',
        label: 'pg_dump -Fc',
        bytes,
        beforeEach: () => rm(timedDump, { force: true }),
        run: { command: join(bin, 'pg_dump'), args: ['-Fc', '-f', timedDump, sourceUrl] },
      },
      {
        id: 'stowage-backup',
        group: 'backup',
        label: 'stowage backup',
        bytes,
        baseline: 'pg_dump-Fc',
        beforeEach: () => rm(timedArchive, { force: true }),
        run: { command: node, args: [cli, 'backup', sourceUrl, '--to', timedArchive] },
      },
      {
        id: 'stowage-backup-repository',
        group: 'backup',
        label: 'stowage backup --to REPOSITORY',
        bytes,
        baseline: 'pg_dump-Fc',
        // The README's form: a generated name in a repository, with the preflight checks and a run record.
        beforeEach: () => rm(repository, { recursive: true, force: true }).then(() => mkdir(repository)),
        run: { command: node, args: [cli, 'backup', sourceUrl, '--to', repository] },
      },
      {
        id: 'createdb+pg_restore-j2',
        group: 'restore',
        label: 'createdb && pg_restore -j2',
        bytes,
        beforeEach: () => dropTarget(adminUrl),
        run: {
          command: '/bin/sh',
          args: [
            '-c',
            '"$1/createdb" --maintenance-db="$2" "$3" && "$1/pg_restore" -j2 -d "$4" "$5"',
            'sh',
            bin,
            adminUrl,
            TARGET,
            targetUrl,
            dumpFile,
          ],
        },
      },
      {
        id: 'stowage-restore-create',
        group: 'restore',
        label: 'stowage restore --create',
        bytes,
        baseline: 'createdb+pg_restore-j2',
        beforeEach: () => dropTarget(adminUrl),
        run: { command: node, args: [cli, 'restore', archive, targetUrl, '--create', '--yes'] },
      },
    ];
    return cases;
  },

  async cleanup() {
    if (adminUrlForCleanup) await dropTarget(adminUrlForCleanup).catch(() => {});
    await rm(buildDir, { recursive: true, force: true });
    await server?.stop();
    server = undefined;
  },
});
