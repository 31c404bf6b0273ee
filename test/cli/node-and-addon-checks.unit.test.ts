import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsupportedNodeMessage } from '../../src/cli/node-version.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');

/**
 * A Node.js older than package.json's `engines` to run the built CLI with:
 * $STOWAGE_TEST_OLD_NODE, else the machine's own /usr/bin/node when it is one
 * (Node 20 on the development machines; CI puts its own Node 22/24 first on the PATH).
 */
function oldNode(): { path: string; version: string } | undefined {
  for (const path of [process.env.STOWAGE_TEST_OLD_NODE, '/usr/bin/node', '/usr/local/bin/node']) {
    if (!path) continue;
    try {
      const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (unsupportedNodeMessage(version)) return { path, version };
    } catch {
      // not there, or not a node
    }
  }
  return undefined;
}

/** Runs a file with a node; resolves with its exit status and output whatever the status. */
async function runNode(
  node: string,
  args: string[],
  cwd: string,
): Promise<{ exit: number; stdout: string; stderr: string }> {
  return run(node, args, { cwd, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ exit: 0, stdout, stderr }),
    (err: { code?: number; stdout: string; stderr: string }) => ({
      exit: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

describe('unsupported Node.js versions', () => {
  it('accepts 22.13 and later, refuses anything older with a one-line message naming the fix', () => {
    for (const ok of ['22.13.0', '22.23.5', '23.0.0', '24.22.3', '30.1.0']) {
      expect(unsupportedNodeMessage(ok), ok).toBeUndefined();
    }
    for (const old of ['22.12.9', '20.20.2', '18.0.0', '8.17.0']) {
      const message = unsupportedNodeMessage(old);
      expect(message, old).toMatch(/^stowage needs Node\.js 22\.13 or newer \(this is /);
      expect(message).toContain(`(this is ${old})`);
      expect(message).toContain('install');
      expect(message).not.toContain('\n');
    }
  });
});

/**
 * The built CLI (scripts/bundle-cli.mjs) beside a node_modules whose zstd-napi
 * is broken as real installs break: the compiled addon missing (installed with
 * scripts off, or never built for this platform) or not loadable (a truncated
 * or foreign binary). Everything else links to the repository's node_modules.
 */
describe('the built CLI on a Node or a native addon it cannot use', () => {
  let work: string;
  const old = oldNode();
  /** Runs the built CLI in the work folder with a node. */
  const runCli = (node: string, ...args: string[]) =>
    runNode(node, [join(work, 'bundle/bin.js'), ...args], work);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'stowage-node-addon-'));
    await run(
      process.execPath,
      [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', join(work, 'bundle')],
      {
        timeout: 120_000,
      },
    );
    const modules = join(work, 'node_modules');
    await mkdir(modules);
    for (const entry of await readdir(join(repoRoot, 'node_modules'))) {
      if (entry === 'zstd-napi' || entry.startsWith('.')) continue;
      await symlink(join(repoRoot, 'node_modules', entry), join(modules, entry));
    }
    const zstd = join(modules, 'zstd-napi');
    await mkdir(zstd);
    for (const file of ['package.json', 'binding.js']) {
      await cp(join(repoRoot, 'node_modules/zstd-napi', file), join(zstd, file));
    }
  }, 180_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.skipIf(!old)(`refuses to start on an older Node (${old?.path ?? 'none found'})`, async () => {
    const result = await runCli(old!.path, '--version');
    expect(result.exit).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${unsupportedNodeMessage(old!.version)}\n`);
    // And before loading anything heavy: a command that would load the codec says the same.
    const inspect = await runCli(old!.path, 'inspect', 'none.stow');
    expect(inspect.exit).toBe(1);
    expect(inspect.stderr).toBe(`${unsupportedNodeMessage(old!.version)}\n`);
  });

  // The built CLI refuses an unsupported Node before it loads anything: these need the tests to run on a supported one.
  const supported = !unsupportedNodeMessage(process.versions.node);

  it.skipIf(!supported)('names `npm rebuild zstd-napi` when the addon was never built', async () => {
    await rm(join(work, 'node_modules/zstd-napi/build'), { recursive: true, force: true });
    const result = await runCli(process.execPath, 'inspect', 'none.stow');
    expect(result.exit).toBe(1);
    expect(result.stderr).toMatch(
      /^stowage: the compression addon zstd-napi does not load on Node\.js [\d.]+ \(Cannot find module '\.\/build\/Release\/binding\.node'\); run `npm rebuild zstd-napi`/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const json = await runCli(process.execPath, 'inspect', 'none.stow', '--json');
    expect(JSON.parse(json.stdout).error.code).toBe('native-addon');
  });

  it.skipIf(!supported)('names `npm rebuild zstd-napi` when the compiled addon does not load', async () => {
    const release = join(work, 'node_modules/zstd-napi/build/Release');
    await mkdir(release, { recursive: true });
    await writeFile(join(release, 'binding.node'), 'not a shared object\n');
    const result = await runCli(process.execPath, 'inspect', 'none.stow');
    expect(result.exit).toBe(1);
    expect(result.stderr).toMatch(
      /^stowage: the compression addon zstd-napi does not load on Node\.js [\d.]+ \(/,
    );
    expect(result.stderr).toContain('run `npm rebuild zstd-napi`');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('gives a codec worker thread the same message and code', async () => {
    // The main thread loads the addon before it starts codec threads, so a thread meets a broken addon
    // only when the two differ; its error still reaches the main thread readable, with its code.
    const probe = join(work, 'worker-probe.mjs');
    await writeFile(
      probe,
      `import { Worker } from 'node:worker_threads';
       const w = new Worker(new URL('./bundle/frame-worker.js', import.meta.url), { workerData: { level: 1, key: null } });
       w.on('error', (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`,
    );
    const result = await runNode(process.execPath, [probe], work);
    const reported = JSON.parse(result.stdout) as { code: string; message: string };
    expect(reported.code).toBe('native-addon');
    expect(reported.message).toContain('run `npm rebuild zstd-napi`');
  });
});
