// The second pass of the CLI bundle (scripts/bundle-cli.mjs): esbuild's code-split output, regrouped
// into a few larger files on the paths that run most.
//
// Why: esbuild splits code by the set of entries (the two real ones and every `import()` target) that
// reach each module, and has no way to merge what always loads together. With some 45 `import()`
// targets that gave about 90 files, 48 of them loaded by a small PostgreSQL backup. Node's ESM loader
// pays for each file (resolution, the package scope, reading and decoding, the compile cache's check,
// linking). Fewer, larger files saved 35–45 ms of a small backup's ~270 ms of CPU
// (docs/BENCHMARKS.md, "Session 13").
// rolldown takes esbuild's files as its modules and writes them out in named groups:
// - `start`: what every command loads before its action runs (main, the command definitions,
//   commander), so `--help` still loads no archive, store or driver code;
// - `ops`: what a backup or restore through a local file loads once its action runs, whatever the
//   engine (the operations, the archive, the local store);
// - `pgconnect`: what opens a PostgreSQL backup's first connection (pg, connect.ts, backup-leader.ts):
//   the CLI loads it first and connects, and the server starts the session while the rest loads;
// - `postgres`: the rest of the PostgreSQL engine;
// - `codec` and `common`: what the codec worker thread loads, kept out of the others so that each
//   worker's isolate loads the codec alone.
// What `--version` loads stays as it was (no commander), and so does everything else (MongoDB,
// S3, zod, the daemon, the demo…): split as esbuild split it.
// The files are written as CommonJS, which src/cli/code-cache.ts runs with a V8 code cache kept
// between runs (ES modules have no cache of the functions a run compiles).

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'rolldown';

/**
 * The `import()` targets a backup or restore through a local file loads, whatever the engine: their
 * static closures (and each other's) make the `ops` group.
 */
const OPS_ENTRIES = [
  'src/ops/backup.ts',
  'src/ops/data-counts.ts',
  'src/ops/notify.ts',
  'src/ops/restore.ts',
  'src/ops/open-archive.ts',
  'src/store/open-repository.ts',
  'src/archive/archive-keys.ts',
];

/** The same for the PostgreSQL engine (with pg): the `postgres` group, which a MongoDB run never loads. */
const POSTGRES_ENTRIES = ['src/engines/postgres/engine.ts', 'src/engines/postgres/backup-leader.ts'];

/**
 * What a PostgreSQL backup's first connection needs (`openSourceConnection` in the CLI's backup):
 * the `pgconnect` group, 181 KB of the engine's 590, loaded before anything else of a backup, so
 * the socket opens 15-20 ms of CPU sooner and the server forks and authenticates while the
 * operations, the archive and the rest of the engine load (docs/BENCHMARKS.md, "Session 19: smallstart").
 */
const PG_CONNECT_ENTRIES = ['src/engines/postgres/backup-leader.ts'];

/**
 * What the PostgreSQL engine shares with the MongoDB engine (the scheduler, the engine interface) goes
 * into the `ops` group, which a MongoDB run loads anyway, rather than into `postgres`.
 */
const OTHER_ENGINE_ENTRIES = ['src/engines/mongodb/engine.ts'];

/** What bin.js awaits before a command runs (not for `--version`): their static closures make the `start` group. */
const START_ENTRIES = [
  'src/cli/young-generation.ts',
  'src/cli/collect-at-garbage-points.ts',
  'src/cli/main.ts',
];

/** What `stowage --version` loads besides bin.js: kept out of the groups, so it still loads no commander. */
const VERSION_ENTRIES = ['src/cli/closed-output.ts', 'src/version.ts'];

/**
 * Regroups esbuild's split output in `splitDir` (its `metafile` describes it, paths relative to
 * `root`) into CommonJS-shaped files in `outdir`. Returns the files of the entries `bin` and
 * `frame-worker` (`bin-[hash].cjs`…), which the launchers scripts/bundle-cli.mjs writes then run.
 */
export async function regroupBundle({ root, splitDir, metafile, outdir }) {
  const outputs = new Map(
    Object.entries(metafile.outputs)
      .filter(([path]) => path.endsWith('.js'))
      .map(([path, output]) => [resolve(root, path), { ...output, path: resolve(root, path) }]),
  );
  const byEntry = new Map(
    [...outputs.values()].filter((o) => o.entryPoint).map((o) => [o.entryPoint, o.path]),
  );
  const outputOf = (entry) => {
    const path = byEntry.get(entry);
    if (!path)
      throw new Error(
        `bundle-regroup: no output has the entry ${entry}; update the entry lists in scripts/bundle-regroup.mjs`,
      );
    return path;
  };

  /** The files `from` loads: its static imports, and the dynamic ones `followDynamic` accepts. */
  const closure = (from, followDynamic = () => false) => {
    const seen = new Set();
    const visit = (path) => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const i of outputs.get(path).imports) {
        if (i.external) continue;
        const target = resolve(root, i.path);
        if (i.kind === 'import-statement' || followDynamic(target)) visit(target);
      }
    };
    for (const path of from) visit(path);
    return seen;
  };

  const bin = outputOf('src/cli/bin.ts');
  const workerEntry = outputOf('src/archive/frame-worker.ts');
  const worker = closure([workerEntry]);
  const version = closure([bin, ...VERSION_ENTRIES.map(outputOf)]);
  const start = new Set([...closure(START_ENTRIES.map(outputOf))].filter((id) => !version.has(id)));
  /** The static closure of `entries`, with the `import()`s among them. */
  const pathOf = (entries) => {
    const paths = new Set(entries.map(outputOf));
    return closure(paths, (target) => paths.has(target));
  };
  const ops = pathOf(OPS_ENTRIES);
  const postgres = pathOf(POSTGRES_ENTRIES);
  const pgConnect = pathOf(PG_CONNECT_ENTRIES);
  const otherEngines = pathOf(OTHER_ENGINE_ENTRIES);
  const elsewhere = (id) => start.has(id) || worker.has(id) || version.has(id);
  // Each file in one group at most (the others rolldown splits as esbuild did). bin.js and what
  // `--version` loads stay files of their own: bin awaits main's group, which must not hold bin itself.
  const groups = [
    // What the codec worker shares with every start (errors, esbuild's helpers).
    { name: 'common', test: (id) => worker.has(id) && start.has(id) },
    // The rest of the codec worker's own code: the worker, backups and restores load it.
    {
      name: 'codec',
      test: (id) => id !== workerEntry && worker.has(id) && !start.has(id) && !version.has(id),
    },
    { name: 'start', test: (id) => start.has(id) && !worker.has(id) },
    {
      name: 'ops',
      test: (id) => (ops.has(id) || (postgres.has(id) && otherEngines.has(id))) && !elsewhere(id),
    },
    {
      name: 'pgconnect',
      test: (id) => pgConnect.has(id) && !ops.has(id) && !otherEngines.has(id) && !elsewhere(id),
    },
    {
      name: 'postgres',
      test: (id) =>
        postgres.has(id) && !pgConnect.has(id) && !ops.has(id) && !otherEngines.has(id) && !elsewhere(id),
    },
  ];

  const { output } = await build({
    input: { bin: join(splitDir, 'bin.js'), 'frame-worker': join(splitDir, 'frame-worker.js') },
    cwd: root,
    platform: 'node',
    external: (id) => !id.startsWith('.') && !id.startsWith('/'),
    // esbuild already left out what is unused; rolldown only moves modules between files.
    treeshake: false,
    logLevel: 'warn',
    // bin.js and frame-worker.js export nothing: there is no signature to keep.
    preserveEntrySignatures: 'allow-extension',
    // Reading esbuild's source maps takes most of rolldown's time; that is expected, not worth a warning.
    checks: { pluginTimings: false },
    plugins: [esbuildSourceMaps(splitDir)],
    output: {
      dir: outdir,
      // CommonJS-shaped files, run through the code cache (src/cli/code-cache.ts). Every name carries its
      // content's hash, entries included: a file rebuilt is a new name, never an old file's cache.
      format: 'cjs',
      entryFileNames: '[name]-[hash].cjs',
      // A group's name, or the esbuild file's without esbuild's hash: `backup-[hash].cjs`.
      chunkFileNames: (chunk) => `${chunk.name.replace(/-[0-9A-Z]{8}$/, '')}-[hash].cjs`,
      sourcemap: true,
      codeSplitting: {
        // Only the modules the tests pick: a group that took in its modules' dependencies too would take
        // the codec's, and each codec worker thread would load the whole group.
        includeDependenciesRecursively: false,
        groups,
      },
    },
  });
  /** Each entry's file name in `outdir`, by entry name (`bin`, `frame-worker`). */
  return Object.fromEntries(
    output.filter((o) => o.type === 'chunk' && o.isEntry).map((o) => [o.name, o.fileName]),
  );
}

/** Hands rolldown each esbuild file with its source map, so the final maps point at src/ and node_modules. */
function esbuildSourceMaps(splitDir) {
  const dir = resolve(splitDir);
  return {
    name: 'esbuild-source-maps',
    async load(id) {
      if (!id.startsWith(`${dir}/`) || !id.endsWith('.js')) return null;
      const code = await readFile(id, 'utf8');
      const map = await readFile(`${id}.map`, 'utf8').catch(() => null);
      return { code: code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), map };
    },
  };
}
