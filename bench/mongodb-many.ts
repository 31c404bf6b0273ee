/**
 * MongoDB with many small collections (issue 14): the `stowage` CLI against
 * mongodump and mongorestore, whole processes side by side.
 *
 *   npm run bench -- mongodb-many                                  2,000 collections of 20 documents
 *   npm run bench -- mongodb-many --set collections=500,2000       several sizes
 *   npm run bench -- mongodb-many --set url=mongodb://HOST:PORT/   use that server
 *   npm run bench -- mongodb-many --quick                          200 collections, 1 run
 *
 * Each collection has DOCS small documents and two secondary indexes, one of
 * them unique (bench/mongodb-many-dataset.ts). Without `url` a private
 * FerretDB (SQLite) is started on loopback in `bench/results/.ferretdb-many`,
 * kept between invocations so its datasets are made once; datasets are
 * databases named after their size and reused when complete. That server is
 * one per worktree: two runs at once there would start two on one folder, so
 * give them a server with `url` (one started by hand from it will do).
 *
 * Cases, per collection count N:
 * - mongodump-N: `mongodump --uri URL --db DB --gzip --archive=FILE` (default parallelism, 4 collections).
 * - stowage-backup-N: `node BUNDLE/bin.js backup URL/DB --to FILE.stow --jobs J`, ratio to mongodump-N.
 * - mongorestore-N: `mongorestore --gzip --archive=FILE --nsFrom DB.* --nsTo DB_r.*` into a dropped
 *   database. On FerretDB with `--noIndexRestore`: mongorestore sends index specs with an `ns`
 *   field, which FerretDB 1.24 refuses, so there it builds no indexes while stowage builds them
 *   all (the comparison then favours mongorestore).
 * - mongorestore-indexes-N (FerretDB): `mongorestore --noIndexRestore` and then the index builds
 *   mongorestore would run (bench/mongodb-index-builds.ts: one createIndexes per collection, 4 at
 *   once), as one timed process: the like-for-like baseline for stowage's restore.
 * - stowage-restore-N: `stowage restore FILE.stow URL/DB_r --jobs J` into a dropped database,
 *   ratio to mongorestore-indexes-N on FerretDB, mongorestore-N elsewhere.
 * - stowage-restore-noindexes-N: the same with `--no-index-restore`, ratio to mongorestore-N
 *   (on FerretDB the like-for-like case for its `--noIndexRestore`).
 *   The restore inputs are the files the backup cases write, in this run's scratch folder, so
 *   within a round each restore reads what this build's backup just wrote; before the first
 *   round they are copies of inputs kept between invocations in
 *   bench/results/.mongodb-many-inputs (made untimed when missing, renamed into place whole).
 *   Restore targets (DB_r) get this run's own suffix, so two runs on one server keep apart.
 *
 * Options (--set KEY=VALUE): url, collections (2000; 200 with --quick), docs (20),
 * jobs (4, as mongodump/mongorestore's default of 4 collections at once),
 * mongotools (folder with mongodump and mongorestore; default $STOWAGE_MONGOTOOLS_BIN or
 * /tmp/stowage-mongotools/bin, see bench/mongodb-tools.md), backend (the private FerretDB's
 * storage: sqlite, the default, or postgresql, a private PostgreSQL cluster started with it;
 * each backend has a server folder of its own).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { MongoClient } from 'mongodb';
import { type BenchCase, defineScenario } from './lib/harness.js';
import { scratchDatabaseName } from './lib/scratch-names.js';
import { makeSharedInput } from './lib/shared-input.js';
import { parseFerretBackend, startBenchFerretDB } from './mongodb-ferretdb.js';
import { generateManyCollections, manyCollectionsReady } from './mongodb-many-dataset.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..');
// Inside the repository, so the bundle resolves node_modules as an installed package does.
const buildDir = join(repoRoot, 'bench/results', `.mongodb-many-${process.pid}`);
const privateServerDir = join(repoRoot, 'bench/results', '.ferretdb-many');
const inputsDir = join(repoRoot, 'bench/results', '.mongodb-many-inputs');

let server: { stop(): Promise<void> } | undefined;
let serverUrl: string | undefined;
const restoreDatabases: string[] = [];

async function dropDatabase(url: string, db: string): Promise<void> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    await client.db(db).dropDatabase();
  } finally {
    await client.close();
  }
}

async function isFerretDB(url: string): Promise<boolean> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    return !!(await client.db('admin').command({ buildInfo: 1 })).ferretdbVersion;
  } finally {
    await client.close();
  }
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

export const scenario = defineScenario({
  name: 'mongodb-many',
  description:
    'MongoDB with thousands of small collections (DOCS documents and two secondary indexes each): the stowage CLI backup and restore against mongodump and mongorestore (gzip archives, default parallelism), whole processes.',

  async prepare(opts) {
    const counts = (opts.values.collections ?? (opts.quick ? '200' : '2000')).split(',').map(Number);
    const documentsEach = Number(opts.values.docs ?? 20);
    const jobs = Number(opts.values.jobs ?? 4);
    const tools =
      opts.values.mongotools ?? process.env.STOWAGE_MONGOTOOLS_BIN ?? '/tmp/stowage-mongotools/bin';
    const mongodump = join(tools, 'mongodump');
    const mongorestore = join(tools, 'mongorestore');
    if (!existsSync(mongodump) || !existsSync(mongorestore))
      throw new Error(
        `no mongodump/mongorestore in ${tools}: build them (bench/mongodb-tools.md) or --set mongotools=DIR`,
      );

    let url = opts.values.url;
    if (!url) {
      const backend = parseFerretBackend(opts.values.backend);
      const dir = backend === 'sqlite' ? privateServerDir : `${privateServerDir}-${backend}`;
      const started = await startBenchFerretDB(dir, backend);
      server = started;
      url = started.url;
      opts.log(`started a private FerretDB (${backend}) at ${url} (data in ${dir})`);
    }
    const base = url.endsWith('/') ? url : `${url}/`;
    serverUrl = base;
    const ferret = await isFerretDB(base);

    opts.log('bundling the CLI from these sources');
    await rm(buildDir, { recursive: true, force: true });
    await mkdir(buildDir, { recursive: true });
    await run(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', buildDir]);
    const cli = join(buildDir, 'bin.js');
    // Plain JavaScript, so the like-for-like case times the index builds, not a TypeScript loader.
    const indexBuilds = join(buildDir, 'mongodb-index-builds.mjs');
    await build({
      absWorkingDir: repoRoot,
      entryPoints: ['bench/mongodb-index-builds.ts'],
      outfile: indexBuilds,
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      logLevel: 'warning',
    });

    const cases: BenchCase[] = [];
    for (const collections of counts) {
      const db = `stowage_bench_many_${collections}x${documentsEach}`;
      const dataset = { url: base, db, collections, documentsEach };
      if (!(await manyCollectionsReady(dataset))) {
        opts.log(`generating ${collections} collections of ${documentsEach} documents in ${db}`);
        await generateManyCollections({ ...dataset, onProgress: (n, total) => opts.log(`  ${n}/${total}`) });
      }
      // BSON bytes of the documents, the same figure for every case.
      const bytes = documentsEach * collections * 170;

      // Kept between invocations (making them takes minutes with thousands of collections) and
      // only read: the timed backups write this run's own copies, which the restores then read,
      // so in a round they restore what this build's backup wrote and never what another run
      // is writing.
      await mkdir(inputsDir, { recursive: true });
      const dumpFile = join(inputsDir, `${db}.archive.gz`);
      const archive = join(inputsDir, `${db}.stow`);
      await makeSharedInput(dumpFile, (into) => {
        opts.log(`making the mongorestore input for ${collections} collections (mongodump)`);
        return run(mongodump, [`--uri=${base}`, `--db=${db}`, '--gzip', `--archive=${into}`, '--quiet']);
      });
      await makeSharedInput(archive, (into) => {
        opts.log(`making the stowage restore input for ${collections} collections (stowage backup)`);
        return run(process.execPath, [cli, 'backup', `${base}${db}`, '--to', into, '--no-preflight']);
      });
      const timedDump = join(opts.scratchDir, `${db}.archive.gz`);
      const timedArchive = join(opts.scratchDir, `${db}.stow`);
      await copyFile(dumpFile, timedDump);
      await copyFile(archive, timedArchive);

      const restoreDb = scratchDatabaseName(`${db}_r`);
      const mongorestoreArgs = [
        `--uri=${base}`,
        '--gzip',
        `--archive=${timedDump}`,
        `--nsFrom=${db}.*`,
        `--nsTo=${restoreDb}.*`,
        '--quiet',
      ];
      restoreDatabases.push(restoreDb);
      const group = `${collections} collections × ${documentsEach} documents`;
      cases.push(
        {
          id: `mongodump-${collections}`,
          group,
          label: 'mongodump --gzip --archive',
          bytes,
          beforeEach: () => rm(timedDump, { force: true }),
          run: {
            command: mongodump,
            args: [`--uri=${base}`, `--db=${db}`, '--gzip', `--archive=${timedDump}`, '--quiet'],
          },
        },
        {
          id: `stowage-backup-${collections}`,
          group,
          label: `stowage backup --jobs ${jobs}`,
          bytes,
          baseline: `mongodump-${collections}`,
          beforeEach: () => rm(timedArchive, { force: true }),
          run: {
            command: process.execPath,
            args: [
              cli,
              'backup',
              `${base}${db}`,
              '--to',
              timedArchive,
              '--jobs',
              String(jobs),
              '--no-preflight',
            ],
          },
        },
        {
          id: `mongorestore-${collections}`,
          group,
          label: `mongorestore --gzip --archive${ferret ? ' --noIndexRestore (FerretDB refuses its index specs)' : ''}`,
          bytes,
          beforeEach: () => dropDatabase(base, restoreDb),
          run: {
            command: mongorestore,
            args: [...mongorestoreArgs, ...(ferret ? ['--noIndexRestore'] : [])],
          },
        },
        ...(ferret
          ? [
              {
                id: `mongorestore-indexes-${collections}`,
                group,
                label: 'mongorestore --noIndexRestore, then its index builds (like for like)',
                bytes,
                beforeEach: () => dropDatabase(base, restoreDb),
                run: {
                  command: 'sh',
                  args: [
                    '-c',
                    [
                      [mongorestore, ...mongorestoreArgs, '--noIndexRestore'],
                      [process.execPath, indexBuilds, base, db, restoreDb, '4'],
                    ]
                      .map((argv) => argv.map(shellQuote).join(' '))
                      .join(' && '),
                  ],
                },
              } satisfies BenchCase,
            ]
          : []),
        {
          id: `stowage-restore-${collections}`,
          group,
          label: `stowage restore --jobs ${jobs} (indexes built)`,
          bytes,
          baseline: ferret ? `mongorestore-indexes-${collections}` : `mongorestore-${collections}`,
          beforeEach: () => dropDatabase(base, restoreDb),
          run: {
            command: process.execPath,
            args: [cli, 'restore', timedArchive, `${base}${restoreDb}`, '--jobs', String(jobs), '--yes'],
          },
        },
        {
          id: `stowage-restore-noindexes-${collections}`,
          group,
          label: `stowage restore --jobs ${jobs} --no-index-restore`,
          bytes,
          baseline: `mongorestore-${collections}`,
          beforeEach: () => dropDatabase(base, restoreDb),
          run: {
            command: process.execPath,
            args: [
              cli,
              'restore',
              timedArchive,
              `${base}${restoreDb}`,
              '--jobs',
              String(jobs),
              '--yes',
              '--no-index-restore',
            ],
          },
        },
      );
    }
    return cases;
  },

  async cleanup() {
    if (serverUrl) {
      for (const db of restoreDatabases.splice(0)) await dropDatabase(serverUrl, db).catch(() => {});
    }
    await rm(buildDir, { recursive: true, force: true });
    await server?.stop();
    server = undefined;
  },
});
