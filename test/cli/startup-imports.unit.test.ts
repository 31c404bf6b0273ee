import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFilesLoadedBy, writeLoadLogHook } from './bundle-loads.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');
// Inside the repository, so the bundle finds the external packages in node_modules.
const work = join(repoRoot, '.tmp', `startup-imports-${process.pid}`);
const bundleDir = join(work, 'bundle');

/**
 * The files the CLI's entry (`bin-[hash].cjs`, which `bin.js` runs) loads before any command runs:
 * itself, what it loads unconditionally (closed-output, main), and everything those require at their
 * top level. Returns each file's text; `external` collects what they require from outside the bundle
 * (built-ins, packages left out of the bundle like the drivers). Given another `entry` (the codec
 * worker's, `frame-worker`), the files it loads at its top level.
 */
async function startupClosure(entry = 'bin'): Promise<{ files: Map<string, string>; external: Set<string> }> {
  const files = new Map<string, string>();
  const external = new Set<string>();
  const visit = async (file: string, followDynamic: boolean) => {
    if (files.has(file)) return;
    const text = await readFile(join(bundleDir, file), 'utf8');
    files.set(file, text);
    // Top-level requires start a line; those inside functions are indented.
    const topLevel = [...text.matchAll(/^(?:(?:const|let|var)\s+[\w$]+\s*=\s*)?require\("([^"]+)"\)/gm)].map(
      (m) => m[1]!,
    );
    // An `import()` of a bundled module became a require after a resolved promise.
    const dynamic = followDynamic
      ? [...text.matchAll(/Promise\.resolve\(\)\.then\(\(\) => require\("(\.\/[^"]+)"\)\)/g)].map(
          (m) => m[1]!,
        )
      : [];
    for (const spec of [...topLevel, ...dynamic]) {
      if (spec.startsWith('./')) await visit(spec.slice(2), false);
      else external.add(spec);
    }
  };
  const entryFile = (await readdir(bundleDir)).find((f) => f.startsWith(`${entry}-`) && f.endsWith('.cjs'));
  if (!entryFile) throw new Error(`no ${entry}-[hash].cjs in the bundle`);
  // The entry awaits its dynamic imports before main() runs: they are part of every start.
  await visit(entryFile, entry === 'bin');
  return { files, external };
}

/**
 * Bundled modules in the files, read from each file's source map (the regrouping pass,
 * scripts/bundle-regroup.mjs, keeps no comments, so esbuild's `// path` lines are gone).
 */
async function bundledSources(files: Iterable<string>): Promise<string[]> {
  const sources = await Promise.all(
    [...files].map(async (file) => {
      // A file that only passes on another's exports (an `import()` target's facade) has no map.
      const text = await readFile(join(bundleDir, `${file}.map`), 'utf8').catch(() => '{"sources":[]}');
      const map = JSON.parse(text) as { sources: string[] };
      return map.sources.flatMap((s) => /(?:^|\/)((?:src|node_modules)\/.+)$/.exec(s)?.[1] ?? []);
    }),
  );
  return sources.flat();
}

/** Store modules that are plain data, loaded at start so that the store flags show in `--help` without zod. */
const LIGHT_STORE_MODULES = [
  'src/store/in-process-refusal.ts',
  'src/store/option-flags.ts',
  'src/store/s3/s3-flags.ts',
];

/**
 * The bundle's files a run of `bin.js ARGS` really loads (dynamic imports in
 * hooks and actions included), read from what the bundle's loader publishes, with the
 * bundled sources they hold and its exit status.
 */
async function loadedBy(args: string[]): Promise<{ files: string[]; sources: string[]; exit: number }> {
  const { files, exit } = await bundleFilesLoadedBy(work, bundleDir, args);
  return { files, sources: await bundledSources(files), exit };
}

describe('what `stowage --version` and `--help` load (start-up time, issue 13)', () => {
  beforeAll(async () => {
    await mkdir(work, { recursive: true });
    await run(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', bundleDir], {
      timeout: 120_000,
    });
    await writeLoadLogHook(work);
  }, 180_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('loads no zod schema, archive or store code, progress bars, database driver or engine internals', async () => {
    const { files, external } = await startupClosure();
    const sources = await bundledSources(files.keys());
    // The command definitions are there (commander needs them for --help) …
    expect(sources).toContain('src/cli/main.ts');
    expect(sources).toContain('src/cli/engine-flags.ts');
    expect(sources).toContain('src/engines/registry.ts');
    // … but what their actions use loads when an action runs.
    expect(sources.filter((s) => s.startsWith('node_modules/zod/'))).toEqual([]);
    expect(sources.filter((s) => s.startsWith('node_modules/cli-progress/'))).toEqual([]);
    expect(
      sources.filter((s) => /^src\/(archive|store|ops)\//.test(s) && !LIGHT_STORE_MODULES.includes(s)),
    ).toEqual([]);
    // The engine plugins are light: no backup, restore or connection code.
    expect(
      sources.filter((s) => /^src\/engines\/[^/]+\/(engine|backup|restore|connect)\.ts$/.test(s)),
    ).toEqual([]);
    expect([...external].filter((p) => !isBuiltin(p))).toEqual([]);
  });

  it('a codec worker thread loads the frame codec and nothing of the commands, engines or stores', async () => {
    // Each worker loads its files into a fresh isolate: the grouped files of the start and of the hot
    // paths (scripts/bundle-regroup.mjs) would cost every thread their loading.
    const { files, external } = await startupClosure('frame-worker');
    const sources = await bundledSources(files.keys());
    expect(sources).toContain('src/archive/frame-codec.ts');
    expect(sources.filter((s) => !/^src\/(archive|errors\.ts|error-codes\.ts)/.test(s))).toEqual([]);
    // zstd-napi loads through a require inside the codec, so no package shows among the top-level requires.
    expect([...external].filter((p) => !isBuiltin(p))).toEqual([]);
    // node:util loads parseArgs, diff, colours…: ~3.5 ms each start of a thread.
    expect(external).not.toContain('node:util');
    expect(external).not.toContain('util');
  });

  it('still prints the version and every command and engine flag in the help', async () => {
    const version = await run(process.execPath, [join(bundleDir, 'bin.js'), '--version'], { cwd: work });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(process.execPath, [join(bundleDir, 'bin.js'), 'restore', '--help'], { cwd: work });
    // Commander wraps long lines: compare with the whitespace squeezed.
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('--create PostgreSQL: create the target database if missing');
    expect(text).toContain('--drop MongoDB: drop each collection before restoring it');
    expect(text).toContain('--ns-from <pattern> MongoDB: rename from');
  });

  // What a command loads once it is chosen (its store flags are added in a hook, its action may run):
  // the static closure above cannot see that, so these runs watch the bundle's loader itself.
  const COMMANDS = [
    'backup',
    'follow',
    'restore',
    'list',
    'inspect',
    'verify',
    'prune',
    'status',
    'templates',
    'daemon',
    'demo',
    'bench',
  ];
  const heavy = (sources: string[]) =>
    sources.filter(
      (s) =>
        s.startsWith('node_modules/zod/') ||
        s.startsWith('node_modules/cli-progress/') ||
        (/^src\/(archive|store|ops)\//.test(s) && !LIGHT_STORE_MODULES.includes(s)),
    );

  it('--version loads neither commander nor the command definitions', async () => {
    const { sources, exit } = await loadedBy(['--version']);
    expect(exit).toBe(0);
    expect(
      sources.filter((s) => s.startsWith('node_modules/commander/') || s.startsWith('src/cli/commands/')),
    ).toEqual([]);
  });

  it.each(['--help', ...COMMANDS.map((c) => `${c} --help`)])(
    '`%s` loads no zod, store, archive or operation code',
    async (line) => {
      const { sources, exit } = await loadedBy(line.split(' '));
      expect(exit).toBe(0);
      expect(sources).toContain('src/cli/main.ts');
      expect(heavy(sources)).toEqual([]);
    },
  );

  it('a backup of a mistyped URL fails with a usage error before loading zod or the backup', async () => {
    const { sources, exit } = await loadedBy(['backup', 'postgres://app@localhost:99999/shop', '--to', work]);
    expect(exit).toBe(2);
    expect(heavy(sources)).toEqual([]);
  });

  it('a store flag given is still checked against its schema (loaded for it)', async () => {
    const { sources, exit } = await loadedBy(['list', work, '--s3-sse', 'rot13']);
    expect(exit).toBe(2);
    expect(sources.some((s) => s.startsWith('node_modules/zod/'))).toBe(true);
  });
});
