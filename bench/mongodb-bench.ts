/**
 * MongoDB bench: stowage backup/restore against mongodump/mongorestore (built
 * from the mongo-tools Go module) and the raw ceiling (a driver cursor with
 * `raw: true` draining every collection), on the same server and dataset.
 *
 *   npx tsx bench/mongodb-bench.ts --url mongodb://127.0.0.1:27017/ [--docs 1000000] [--runs 3] [--jobs 4]
 *   npx tsx bench/mongodb-bench.ts --ferretdb [...]      (starts a private FerretDB on loopback)
 *   --levels 3,6   zstd levels of the stowage backup scenarios (the first one feeds the restore scenario)
 *   --collections 2000 [--docs-each 20]   the many-small-collections dataset instead (two indexes each)
 *
 * Each operation runs in a process of its own under /usr/bin/time, which
 * gives wall time and peak RSS. Results go to bench/results/ as JSON and
 * markdown. mongodump/mongorestore come from --mongotools DIR (or
 * STOWAGE_MONGOTOOLS_BIN); see bench/mongodb-tools.md for building them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { DATASET_COLLECTIONS, generateMongoDataset } from './mongodb-dataset.js';
import { startBenchFerretDB } from './mongodb-ferretdb.js';
import { generateManyCollections, manyCollectionsReady } from './mongodb-many-dataset.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    ferretdb: { type: 'boolean', default: false },
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
const work = mkdtempSync(join(tmpdir(), 'stowage-mongo-bench-'));
const log = (line: string) => console.error(`[bench] ${line}`);

/**
 * Compiles the library and the child script to JavaScript once, so measured
 * processes do not pay for a TypeScript loader (and worker threads find their
 * modules as they would in the published package).
 */
function buildChild(): string {
  const outDir = '.tmp/mongodb-bench-build';
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const tsconfig = join(outDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { rootDir: '../..', outDir: '.', noEmit: false, declaration: false, sourceMap: false },
      include: ['../../src', '../../bench/mongodb-child.ts'],
    }),
  );
  // Type errors elsewhere in the tree (work in progress) must not stop the bench: tsc still emits.
  spawnSync('npx', ['tsc', '-p', tsconfig], { stdio: 'ignore' });
  // src/version.ts reads ../package.json; it also marks the output as ESM.
  copyFileSync('package.json', join(outDir, 'package.json'));
  const out = join(outDir, 'bench', 'mongodb-child.js');
  if (!existsSync(out)) throw new Error(`could not compile bench/mongodb-child.ts into ${out}`);
  return out;
}

interface Measured {
  seconds: number;
  maxRssMiB: number;
  output: string;
}

/** Runs a command under /usr/bin/time; wall seconds and peak RSS come from time itself. */
async function measure(cmd: string, cmdArgs: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...cmdArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const m = /TIME ([\d.]+) (\d+)/.exec(err);
      if (code !== 0 || !m)
        return reject(new Error(`${cmd} ${cmdArgs.join(' ')} failed (${code}):\n${err.slice(-3000)}`));
      resolve({ seconds: Number(m[1]), maxRssMiB: Number(m[2]) / 1024, output: out });
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

async function main() {
  let url = args.url;
  let stopServer: (() => Promise<void>) | undefined;
  if (!url && args.ferretdb) {
    const server = await startBenchFerretDB(join(work, 'ferretdb'));
    url = server.url;
    stopServer = server.stop;
    log(`started FerretDB at ${url}`);
  }
  if (!url) throw new Error('give --url mongodb://… or --ferretdb');
  const base = url.endsWith('/') ? url : `${url}/`;
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
    const child = buildChild();
    const mongodump = join(args.mongotools, 'mongodump');
    const mongorestore = join(args.mongotools, 'mongorestore');
    const haveTools = existsSync(mongodump) && existsSync(mongorestore);
    if (!haveTools) log(`no mongodump/mongorestore in ${args.mongotools}: those scenarios are skipped`);
    // Kept between runs, so `--only restore` can reuse the archives of an earlier run.
    const archives = join('.tmp', 'mongodb-bench-archives');
    mkdirSync(archives, { recursive: true });
    const stow = join(archives, `${dbName}.stow`);
    const dump = join(archives, `${dbName}.archive.gz`);
    const restoreDb = `${dbName}_r`;
    const ferret = (await serverLabel(base)).startsWith('FerretDB');

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
          const file = level === levels[0] ? stow : join(archives, `${dbName}.zstd${level}.stow`);
          rmSync(file, { force: true });
          const m = await measure('node', [
            child,
            'backup',
            `${base}${dbName}`,
            file,
            String(jobs),
            String(level),
          ]);
          return { ...m, bytes: statSync(file).size };
        },
      })),
      ...(haveTools
        ? [
            {
              name: 'mongodump --gzip --archive',
              run: async () => {
                rmSync(dump, { force: true });
                const m = await measure(mongodump, [
                  `--uri=${base}`,
                  `--db=${dbName}`,
                  '--gzip',
                  `--archive=${dump}`,
                  '--quiet',
                ]);
                return { ...m, bytes: statSync(dump).size };
              },
            },
          ]
        : []),
      {
        name: `stowage restore (jobs ${jobs})`,
        run: async () => {
          await dropDb(base, restoreDb);
          return measure('node', [child, 'restore', stow, `${base}${restoreDb}`, String(jobs)]);
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
                  stow,
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
              // --noIndexRestore: mongorestore sends index specs with an `ns` field, which
              // FerretDB refuses ("Index option "ns" is unknown"); stowage still builds them.
              name: `mongorestore --gzip --archive (default workers${ferret ? ', --noIndexRestore' : ''})`,
              run: async () => {
                await dropDb(base, restoreDb);
                return measure(mongorestore, [
                  `--uri=${base}`,
                  '--gzip',
                  `--archive=${dump}`,
                  `--nsFrom=${dbName}.*`,
                  `--nsTo=${restoreDb}.*`,
                  '--drop',
                  ...(ferret ? ['--noIndexRestore'] : []),
                ]);
              },
            },
          ]
        : []),
    ].filter((s) => !args.only || s.name.includes(args.only));

    // Rounds interleave the scenarios, so a change in machine load during the
    // bench spreads over all of them instead of skewing one.
    const results = scenarios.map((s) => ({ name: s.name, runs: [] as (Measured & { bytes?: number })[] }));
    for (let i = 0; i < runs; i++) {
      for (const [n, scenario] of scenarios.entries()) {
        const r = await scenario.run();
        log(
          `${scenario.name} #${i + 1}: ${r.seconds.toFixed(2)} s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB${r.bytes ? `, ${(r.bytes / 1e6).toFixed(1)} MB` : ''}`,
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
      bytes: r.runs[0]?.bytes,
    }));
    const label = many
      ? `${many.collections.toLocaleString('en')} collections × ${many.documentsEach} documents, 2 indexes each`
      : `${docs.toLocaleString('en')} documents`;
    const md = [
      `# MongoDB bench — ${label}, ${server}, jobs ${jobs}, ${runs} run(s)`,
      '',
      '| scenario | median s | min s | max s | peak RSS MiB | output MB |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.scenario} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)} | ${r.max.toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ${r.bytes ? (r.bytes / 1e6).toFixed(1) : ''} |`,
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
    if (!args.keep) await dropDb(base, `${dbName}_r`).catch(() => {});
    await stopServer?.();
    rmSync(work, { recursive: true, force: true });
  }
}

async function serverLabel(url: string): Promise<string> {
  const client = new MongoClient(url);
  await client.connect();
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return info.ferretdbVersion ? `FerretDB ${info.ferretdbVersion} (SQLite)` : `MongoDB ${info.version}`;
  } finally {
    await client.close();
  }
}

await main();
