/**
 * MongoDB bench: stowage backup/restore against mongodump/mongorestore (built
 * from the mongo-tools Go module) and the raw ceiling (a driver cursor with
 * `raw: true` draining every collection), on the same server and dataset.
 *
 *   npx tsx bench/mongodb-bench.ts --url mongodb://127.0.0.1:27017/ [--docs 1000000] [--runs 3] [--jobs 4]
 *   npx tsx bench/mongodb-bench.ts --ferretdb [...]      (starts a private FerretDB on loopback)
 *   npx tsx bench/mongodb-bench.ts --ferretdb --backend postgresql [...]   (FerretDB on a private PostgreSQL)
 *   --levels 3,6   zstd levels of the stowage backup scenarios (the first one feeds the restore scenario)
 *   --collections 2000 [--docs-each 20]   the many-small-collections dataset instead (two indexes each)
 *
 * Each operation runs in a process of its own under /usr/bin/time, which
 * gives wall time and peak RSS. Results go to bench/results/ as JSON and
 * markdown. mongodump/mongorestore come from --mongotools DIR (or
 * STOWAGE_MONGOTOOLS_BIN); see bench/mongodb-tools.md for building them.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { cleanUpOnInterrupt } from './lib/interrupt.js';
import { scratchDatabaseName, scratchFileName } from './lib/scratch-names.js';
import { makeSharedInput, publishSharedInput } from './lib/shared-input.js';
import { DATASET_COLLECTIONS, generateMongoDataset } from './mongodb-dataset.js';
import { parseFerretBackend, serverCpuSeconds, startBenchFerretDB } from './mongodb-ferretdb.js';
import { generateManyCollections, manyCollectionsReady } from './mongodb-many-dataset.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    ferretdb: { type: 'boolean', default: false },
    /**
     * FerretDB's storage: with --ferretdb, the one to start (sqlite, the default, or postgresql, a
     * private cluster too); with --url, only the label of the report (the server does not say).
     */
    backend: { type: 'string' },
    docs: { type: 'string', default: '1000000' },
    db: { type: 'string' },
    generate: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    jobs: { type: 'string', default: '4' },
    mongotools: {
      type: 'string',
      default: process.env.STOWAGE_MONGOTOOLS_BIN ?? '/tmp/stowage-mongotools/bin',
    },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    levels: { type: 'string', default: '3' },
    collections: { type: 'string' },
    'docs-each': { type: 'string', default: '20' },
    /**
     * The server's process ids (with --url; comma-separated), so each scenario reports the server
     * CPU it cost: FerretDB's, and for its postgresql backend the cluster's postmaster (whose
     * backends, live or exited, count too).
     */
    'server-pid': { type: 'string' },
    /** Extra engine options for the stowage restore scenarios, as JSON (variants: batchBytes, workersPerCollection …). */
    'restore-options': { type: 'string' },
    /**
     * Use the compiled child in .tmp/mongodb-bench-build as it is (runs of variants without
     * rebuilding), compiling it there first when missing; delete that folder to rebuild it.
     * Without this each run compiles into a folder of its own, removed at the end.
     */
    'reuse-build': { type: 'boolean', default: false },
  },
});

const docs = Number(args.docs);
const runs = Number(args.runs);
const jobs = Number(args.jobs);
const levels = args.levels.split(',').map((l) => (l === 'none' ? 'none' : Number(l)));
/** The many-small-collections dataset (issue 14) instead of the big one, when given. */
const many = args.collections
  ? { collections: Number(args.collections), documentsEach: Number(args['docs-each']) }
  : undefined;
const dbName = args.db ?? (many ? `stowage_bench_many_${many.collections}` : `stowage_bench_${docs}`);
/** The restore scenarios' target: this run's own, so two runs on one server keep apart. */
const restoreDb = scratchDatabaseName(`${dbName}_r`);
const work = mkdtempSync(join(tmpdir(), 'stowage-mongo-bench-'));
// A private PostgreSQL (--backend postgresql) runs as the postgres user, who must reach its folder in here.
if (process.getuid?.() === 0) chmodSync(work, 0o711);
const log = (line: string) => console.error(`[bench] ${line}`);

const sharedBuild = join('.tmp', 'mongodb-bench-build');
/** This run's own compiled child (without --reuse-build): two runs at once never rebuild each other's. */
const ownBuild = scratchFileName(sharedBuild);

/**
 * Compiles the library and the child script to JavaScript once, so measured
 * processes do not pay for a TypeScript loader (and worker threads find their
 * modules as they would in the published package).
 */
async function buildChild(): Promise<string> {
  const childIn = (dir: string) => join(dir, 'bench', 'mongodb-child.js');
  if (args['reuse-build']) {
    await makeSharedInput(sharedBuild, async (into) => compileChild(into));
    return childIn(sharedBuild);
  }
  compileChild(ownBuild);
  return childIn(ownBuild);
}

function compileChild(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const root = resolve('.');
  const tsconfig = join(outDir, 'tsconfig.json');
  // Absolute paths: a shared build is compiled elsewhere and renamed into place.
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        rootDir: root,
        outDir: resolve(outDir),
        noEmit: false,
        declaration: false,
        sourceMap: false,
      },
      include: [join(root, 'src'), join(root, 'bench/mongodb-child.ts')],
    }),
  );
  // Type errors elsewhere in the tree (work in progress) must not stop the bench: tsc still emits.
  spawnSync('npx', ['tsc', '-p', tsconfig], { stdio: 'ignore' });
  // src/version.ts reads ../package.json; it also marks the output as ESM.
  copyFileSync('package.json', join(outDir, 'package.json'));
  const out = join(outDir, 'bench', 'mongodb-child.js');
  if (!existsSync(out)) throw new Error(`could not compile bench/mongodb-child.ts into ${out}`);
}

interface Measured {
  seconds: number;
  maxRssMiB: number;
  /** User + system CPU seconds of the measured process and its children. */
  clientCpuSeconds: number;
  /** CPU seconds the server processes (FerretDB, its PostgreSQL cluster) spent meanwhile, when their pids are known. */
  serverCpuSeconds?: number;
  /** Secondary indexes on the restored database, and how many the source has (restore scenarios). */
  indexes?: { built: number; expected: number };
  output: string;
}

/** The server processes whose CPU each scenario reports: the private FerretDB (and its PostgreSQL), or --server-pid. */
let serverPids: number[] = args['server-pid'] ? args['server-pid'].split(',').map(Number) : [];
const serverCpu = () => serverPids.reduce((n, pid) => n + serverCpuSeconds(pid), 0);

/** Runs a command under /usr/bin/time; wall seconds, peak RSS and client CPU come from time itself. */
async function measure(cmd: string, cmdArgs: string[]): Promise<Measured> {
  const serverBefore = serverPids.length ? serverCpu() : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M %U %S', cmd, ...cmdArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || !m)
        return reject(new Error(`${cmd} ${cmdArgs.join(' ')} failed (${code}):\n${err.slice(-3000)}`));
      resolve({
        seconds: Number(m[1]),
        maxRssMiB: Number(m[2]) / 1024,
        clientCpuSeconds: Number(m[3]) + Number(m[4]),
        ...(serverBefore !== undefined ? { serverCpuSeconds: serverCpu() - serverBefore } : {}),
        output: out,
      });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function datasetReady(url: string): Promise<boolean> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    let total = 0;
    for (const { name } of DATASET_COLLECTIONS)
      total += await client.db(dbName).collection(name).estimatedDocumentCount();
    return total === docs;
  } finally {
    await client.close();
  }
}

async function dropDb(url: string, name: string) {
  const client = new MongoClient(url);
  await client.connect();
  await client.db(name).dropDatabase();
  await client.close();
}

/** Secondary indexes (all but `_id_`) over the collections of a database. */
async function secondaryIndexes(url: string, db: string): Promise<number> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    let n = 0;
    for (const { name } of await client.db(db).listCollections({}, { nameOnly: true }).toArray()) {
      const indexes = await client.db(db).collection(name).listIndexes().toArray();
      n += indexes.filter((i) => i.name !== '_id_').length;
    }
    return n;
  } finally {
    await client.close();
  }
}

async function main() {
  let url = args.url;
  let stopServer: (() => Promise<void>) | undefined;
  if (!url && args.ferretdb) {
    const server = await startBenchFerretDB(join(work, 'ferretdb'), parseFerretBackend(args.backend));
    url = server.url;
    serverPids = server.pids;
    stopServer = server.stop;
    log(`started FerretDB (${server.backend}) at ${url}`);
  }
  if (!url) throw new Error('give --url mongodb://… or --ferretdb');
  const base = url.endsWith('/') ? url : `${url}/`;
  const cleanUp = async () => {
    if (!args.keep) await dropDb(base, restoreDb).catch(() => {});
    await stopServer?.();
    rmSync(work, { recursive: true, force: true });
    rmSync(ownBuild, { recursive: true, force: true });
  };
  const releaseInterrupt = cleanUpOnInterrupt(cleanUp);
  try {
    if (many) {
      const dataset = { url: base, db: dbName, ...many };
      if (args.generate || !(await manyCollectionsReady(dataset))) {
        log(`generating ${many.collections} collections of ${many.documentsEach} documents into ${dbName} …`);
        const t = performance.now();
        await generateManyCollections({ ...dataset, onProgress: (n, total) => log(`  ${n}/${total}`) });
        log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
    } else if (args.generate || !(await datasetReady(base))) {
      log(`generating ${docs} documents into ${dbName} …`);
      const t = performance.now();
      await generateMongoDataset({
        url: base,
        db: dbName,
        documents: docs,
        onProgress: (n, total) => {
          if (n % 100_000 < 2000) log(`  ${n}/${total}`);
        },
      });
      log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const child = await buildChild();
    const mongodump = join(args.mongotools, 'mongodump');
    const mongorestore = join(args.mongotools, 'mongorestore');
    const haveTools = existsSync(mongodump) && existsSync(mongorestore);
    if (!haveTools) log(`no mongodump/mongorestore in ${args.mongotools}: those scenarios are skipped`);
    // Kept between runs, so `--only restore` can reuse the archives of an earlier run. The
    // timed backups write this run's own files, which its restores read, and copy them here
    // whole afterwards: two runs at once never restore what the other is writing.
    const archives = join('.tmp', 'mongodb-bench-archives');
    const own = (shared: string) => join(work, basename(shared));
    /** This run's own file once its backup wrote one, else the one an earlier run left. */
    const input = (shared: string) => (existsSync(own(shared)) ? own(shared) : shared);
    const stow = join(archives, `${dbName}.stow`);
    const dump = join(archives, `${dbName}.archive.gz`);
    const ferret = (await serverLabel(base)).startsWith('FerretDB');
    const mongorestoreArgs = (noIndexes: boolean) => [
      `--uri=${base}`,
      '--gzip',
      `--archive=${input(dump)}`,
      `--nsFrom=${dbName}.*`,
      `--nsTo=${restoreDb}.*`,
      '--drop',
      ...(noIndexes ? ['--noIndexRestore'] : []),
    ];
    if (args['restore-options']) process.env.STOWAGE_BENCH_RESTORE_OPTIONS = args['restore-options'];
    const sourceIndexes = await secondaryIndexes(base, dbName);

    const scenarios: { name: string; run: () => Promise<Measured & { bytes?: number }> }[] = [
      {
        name: 'raw ceiling (driver cursor, raw: true)',
        run: () => measure('node', [child, 'raw', base, dbName, String(jobs)]),
      },
      {
        name: "raw read, find/getMore commands (the engine's read path, no archive)",
        run: () => measure('node', [child, 'rawcmd', base, dbName, String(jobs)]),
      },
      ...levels.map((level) => ({
        name: `stowage backup (zstd ${level}, jobs ${jobs})`,
        run: async () => {
          // The restore scenario reads the archive of the first level.
          const shared = level === levels[0] ? stow : join(archives, `${dbName}.zstd${level}.stow`);
          const file = own(shared);
          rmSync(file, { force: true });
          const m = await measure('node', [
            child,
            'backup',
            `${base}${dbName}`,
            file,
            String(jobs),
            String(level),
          ]);
          await publishSharedInput(file, shared);
          return { ...m, bytes: statSync(file).size };
        },
      })),
      ...(haveTools
        ? [
            {
              name: 'mongodump --gzip --archive',
              run: async () => {
                const file = own(dump);
                rmSync(file, { force: true });
                const m = await measure(mongodump, [
                  `--uri=${base}`,
                  `--db=${dbName}`,
                  '--gzip',
                  `--archive=${file}`,
                  '--quiet',
                ]);
                await publishSharedInput(file, dump);
                return { ...m, bytes: statSync(file).size };
              },
            },
          ]
        : []),
      {
        name: `stowage restore (jobs ${jobs})`,
        run: async () => {
          await dropDb(base, restoreDb);
          return measure('node', [child, 'restore', input(stow), `${base}${restoreDb}`, String(jobs)]);
        },
      },
      ...(ferret
        ? [
            {
              name: `stowage restore, no index builds (jobs ${jobs}; like for like with --noIndexRestore)`,
              run: async () => {
                await dropDb(base, restoreDb);
                return measure('node', [
                  child,
                  'restore',
                  input(stow),
                  `${base}${restoreDb}`,
                  String(jobs),
                  'noindexes',
                ]);
              },
            },
          ]
        : []),
      ...(haveTools
        ? [
            {
              // --noIndexRestore on FerretDB: mongorestore sends index specs with an `ns`
              // field, which FerretDB refuses ("Index option "ns" is unknown").
              name: `mongorestore --gzip --archive (default workers${ferret ? ', --noIndexRestore' : ''})`,
              run: async () => {
                await dropDb(base, restoreDb);
                return measure(mongorestore, mongorestoreArgs(ferret));
              },
            },
            ...(ferret
              ? [
                  {
                    // What mongorestore does where its index specs are accepted: all data first,
                    // then each collection's indexes in one createIndexes, 4 collections at once.
                    name: 'mongorestore --noIndexRestore, then its index builds (like for like with stowage restore)',
                    run: async () => {
                      await dropDb(base, restoreDb);
                      const command = [mongorestore, ...mongorestoreArgs(true)].map(shellQuote).join(' ');
                      const indexes = ['node', child, 'indexes', base, dbName, restoreDb, '4']
                        .map(shellQuote)
                        .join(' ');
                      return measure('sh', ['-c', `${command} && ${indexes}`]);
                    },
                  },
                ]
              : []),
          ]
        : []),
    ].filter((s) => !args.only || args.only.split(',').some((part) => s.name.includes(part)));

    // Rounds interleave the scenarios, so a change in machine load during the
    // bench spreads over all of them instead of skewing one.
    const results = scenarios.map((s) => ({ name: s.name, runs: [] as (Measured & { bytes?: number })[] }));
    for (let i = 0; i < runs; i++) {
      for (const [n, scenario] of scenarios.entries()) {
        const r = await scenario.run();
        if (/restore/.test(scenario.name))
          r.indexes = { built: await secondaryIndexes(base, restoreDb), expected: sourceIndexes };
        log(
          `${scenario.name} #${i + 1}: ${r.seconds.toFixed(2)} s, client CPU ${r.clientCpuSeconds.toFixed(1)} s${r.serverCpuSeconds !== undefined ? `, server CPU ${r.serverCpuSeconds.toFixed(1)} s` : ''}, peak RSS ${r.maxRssMiB.toFixed(0)} MiB${r.bytes ? `, ${(r.bytes / 1e6).toFixed(1)} MB` : ''}${r.indexes ? `, indexes ${r.indexes.built}/${r.indexes.expected}` : ''} (load ${loadavg()[0]!.toFixed(2)})`,
        );
        results[n]!.runs.push(r);
      }
    }
    await dropDb(base, restoreDb);

    const server = await serverLabel(base);
    const rows = results.map((r) => ({
      scenario: r.name,
      median: median(r.runs.map((x) => x.seconds)),
      min: Math.min(...r.runs.map((x) => x.seconds)),
      max: Math.max(...r.runs.map((x) => x.seconds)),
      peakRssMiB: Math.max(...r.runs.map((x) => x.maxRssMiB)),
      clientCpu: median(r.runs.map((x) => x.clientCpuSeconds)),
      serverCpu: r.runs.every((x) => x.serverCpuSeconds !== undefined)
        ? median(r.runs.map((x) => x.serverCpuSeconds!))
        : undefined,
      indexes: r.runs[0]?.indexes,
      bytes: r.runs[0]?.bytes,
    }));
    const label = many
      ? `${many.collections.toLocaleString('en')} collections × ${many.documentsEach} documents, 2 indexes each`
      : `${docs.toLocaleString('en')} documents`;
    const md = [
      `# MongoDB bench — ${label}, ${server}, jobs ${jobs}, ${runs} run(s)`,
      '',
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
      '',
      '| scenario | median s | min s | max s | client CPU s | server CPU s | peak RSS MiB | output MB | indexes built |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
      ...rows.map(
        (r) =>
          `| ${r.scenario} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)} | ${r.max.toFixed(2)} | ${r.clientCpu.toFixed(1)} | ${r.serverCpu !== undefined ? r.serverCpu.toFixed(1) : ''} | ${r.peakRssMiB.toFixed(0)} | ${r.bytes ? (r.bytes / 1e6).toFixed(1) : ''} | ${r.indexes ? `${r.indexes.built}/${r.indexes.expected}` : ''} |`,
      ),
      '',
    ].join('\n');
    console.log(md);
    mkdirSync(args.out, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    writeFileSync(
      join(args.out, `mongodb-${many ? `many-${many.collections}` : docs}-${stamp}.json`),
      JSON.stringify({ docs, many, jobs, runs, server, results }, null, 2),
    );
    writeFileSync(join(args.out, `mongodb-${many ? `many-${many.collections}` : docs}-${stamp}.md`), md);
  } finally {
    releaseInterrupt();
    await cleanUp();
  }
}

/** Quotes an argument for `sh -c`. */
const shellQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

async function serverLabel(url: string): Promise<string> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const backend = args.backend ?? (args.ferretdb ? 'sqlite' : undefined);
    return info.ferretdbVersion
      ? `FerretDB ${info.ferretdbVersion}${backend ? ` (${parseFerretBackend(backend)})` : ''}`
      : `MongoDB ${info.version}`;
  } finally {
    await client.close();
  }
}

await main();
