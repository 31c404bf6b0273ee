import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');
// Inside the repository, so the bundle finds the external packages in node_modules.
const work = join(repoRoot, '.tmp', `startup-imports-${process.pid}`);
const bundleDir = join(work, 'bundle');

/**
 * The files `bin.js` loads before any command runs: itself, what it imports
 * unconditionally (closed-output, main), and everything those import
 * statically. Returns each file's text; `external` collects bare imports
 * (packages left out of the bundle, like the drivers).
 */
async function startupClosure(): Promise<{ files: Map<string, string>; external: Set<string> }> {
  const files = new Map<string, string>();
  const external = new Set<string>();
  const visit = async (file: string, followDynamic: boolean) => {
    if (files.has(file)) return;
    const text = await readFile(join(bundleDir, file), 'utf8');
    files.set(file, text);
    const staticImports = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*"([^"]+)"/gms)].map(
      (m) => m[1]!,
    );
    const bareImports = [...text.matchAll(/^import\s*"([^"]+)"/gm)].map((m) => m[1]!);
    const dynamicImports = followDynamic ? [...text.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]!) : [];
    for (const spec of [...staticImports, ...bareImports, ...dynamicImports]) {
      if (spec.startsWith('./')) await visit(spec.slice(2), false);
      else external.add(spec);
    }
  };
  // bin.js awaits its two dynamic imports before main() runs: they are part of every start.
  await visit('bin.js', true);
  return { files, external };
}

/** Bundled modules (esbuild marks each with a `// path` line) among the files. */
function bundledSources(files: Map<string, string>): string[] {
  return [...files.values()].flatMap((text) =>
    [...text.matchAll(/^\/\/ (?:\S*\/)?((?:src|node_modules)\/\S+)/gm)].map((m) => m[1]!),
  );
}

describe('what `stowage --version` and `--help` load (start-up time, issue 13)', () => {
  beforeAll(async () => {
    await mkdir(work, { recursive: true });
    await run(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', bundleDir], {
      timeout: 120_000,
    });
  }, 180_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('loads no zod schema, archive or store code, progress bars, database driver or engine internals', async () => {
    const { files, external } = await startupClosure();
    const sources = bundledSources(files);
    // The command definitions are there (commander needs them for --help) …
    expect(sources).toContain('src/cli/main.ts');
    expect(sources).toContain('src/cli/engine-flags.ts');
    expect(sources).toContain('src/engines/registry.ts');
    // … but what their actions use loads when an action runs.
    expect(sources.filter((s) => s.startsWith('node_modules/zod/'))).toEqual([]);
    expect(sources.filter((s) => s.startsWith('node_modules/cli-progress/'))).toEqual([]);
    expect(sources.filter((s) => /^src\/(archive|store|ops)\//.test(s))).toEqual([]);
    // The engine plugins are light: no backup, restore or connection code.
    expect(
      sources.filter((s) => /^src\/engines\/[^/]+\/(engine|backup|restore|connect)\.ts$/.test(s)),
    ).toEqual([]);
    expect([...external].filter((p) => !p.startsWith('node:'))).toEqual([]);
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
});
