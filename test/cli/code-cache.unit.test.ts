import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CodeCacheEvent } from '../../src/cli/code-cache.js';
import { codeCacheDir } from '../../src/cli/code-cache.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');
const work = join(repoRoot, '.tmp', `code-cache-${process.pid}`);
const bundle = join(work, 'bundle');
const caches = join(work, 'caches');

// A bundle of two CommonJS-shaped files, as scripts/bundle-cli.mjs writes them: the entry requires the
// other and prints what their functions compute.
const ENTRY = `#!/usr/bin/env node
const dep = require("./dep-b.cjs");
function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += dep.square(i); return s; }
process.stdout.write(String(sum(10)) + "\\n");
`;
const DEP = 'exports.square = function square(x) { return x * x; };\n';

/** Runs the bundle through runCachedBundle in a process of its own; its output and its cache events. */
async function runBundle(cacheDir: string | undefined): Promise<{ out: string; events: string[] }> {
  const log = join(work, 'events.txt');
  await rm(log, { force: true });
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '-r',
      join(work, 'log.cjs'),
      join(work, 'runner.ts'),
      join(bundle, 'entry-a.cjs'),
      cacheDir ?? '',
    ],
    { cwd: repoRoot, env: { ...process.env, EVENTS: log }, timeout: 60_000 },
  );
  const events = (await readFile(log, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CodeCacheEvent)
    .map((e) => `${e.cache} ${e.file.slice(bundle.length + 1)}`);
  return { out: stdout.trim(), events };
}

describe('the CLI bundle code cache (src/cli/code-cache.ts)', () => {
  beforeEach(async () => {
    await rm(work, { recursive: true, force: true });
    await mkdir(bundle, { recursive: true });
    await writeFile(join(bundle, 'entry-a.cjs'), ENTRY);
    await writeFile(join(bundle, 'dep-b.cjs'), DEP);
    await writeFile(
      join(work, 'runner.ts'),
      `import { runCachedBundle } from ${JSON.stringify(join(repoRoot, 'src/cli/code-cache.ts'))};
runCachedBundle(process.argv[2]!, process.argv[3] || undefined);\n`,
    );
    await writeFile(
      join(work, 'log.cjs'),
      `require('node:diagnostics_channel').subscribe('stowage:code-cache', (e) =>
  require('node:fs').appendFileSync(process.env.EVENTS, JSON.stringify(e) + '\\n'));\n`,
    );
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('writes each file its cache after the first run, and the second run uses them', async () => {
    const first = await runBundle(caches);
    expect(first.out).toBe('285');
    expect(first.events).toEqual([
      'absent entry-a.cjs',
      'absent dep-b.cjs',
      'written entry-a.cjs',
      'written dep-b.cjs',
    ]);
    const second = await runBundle(caches);
    expect(second.out).toBe('285');
    expect(second.events).toEqual(['accepted entry-a.cjs', 'accepted dep-b.cjs']);
  }, 60_000);

  it('never gives V8 a damaged cache: refused, the run as ever, the cache written again', async () => {
    await runBundle(caches);
    const [build] = await readdir(caches);
    for (const name of await readdir(join(caches, build!))) {
      const path = join(caches, build!, name);
      const file = await readFile(path);
      file[file.length >> 1]! ^= 0xff;
      await writeFile(path, file);
    }
    const damaged = await runBundle(caches);
    expect(damaged.out).toBe('285');
    expect(damaged.events).toEqual([
      'rejected entry-a.cjs',
      'rejected dep-b.cjs',
      'written entry-a.cjs',
      'written dep-b.cjs',
    ]);
    expect((await runBundle(caches)).events).toEqual(['accepted entry-a.cjs', 'accepted dep-b.cjs']);
  }, 60_000);

  it('does not use the cache of another build of a file with the same name and length', async () => {
    await runBundle(caches);
    // `x * x` becomes `x + x`: V8 itself would take the old cache, which it checks by length. (A
    // rebuilt entry is a new build, with a cache folder of its own; a file it loads may change alone.)
    await writeFile(join(bundle, 'dep-b.cjs'), DEP.replace('x * x', 'x + x'));
    const rebuilt = await runBundle(caches);
    expect(rebuilt.out).toBe('90');
    expect(rebuilt.events[0]).toBe('accepted entry-a.cjs');
    expect(rebuilt.events[1]).toBe('absent dep-b.cjs');
  }, 60_000);

  it('keeps the caches of the running build and the two used last, and removes older builds’ at once', async () => {
    const builds: string[] = [];
    for (let n = 10; n <= 13; n++) {
      await writeFile(join(bundle, 'entry-a.cjs'), ENTRY.replace('sum(10)', `sum(${n})`));
      const known = new Set(await readdir(caches).catch(() => []));
      expect((await runBundle(caches)).events).toContain('written entry-a.cjs');
      const made = (await readdir(caches)).filter((name) => !known.has(name));
      expect(made).toHaveLength(1);
      builds.push(made[0]!);
      // Used n days ago, then (an hour apart) each later build: the oldest is the first build.
      const used = new Date(Date.now() - (14 - n) * 3_600_000);
      await utimes(join(caches, made[0]!), used, used);
    }
    // What the layout before build folders left, a file not ours and a link: only the first goes.
    const flat = join(caches, 'entry-a.cjs-1a2b3c4d-151.cache');
    await writeFile(flat, 'old');
    await writeFile(join(caches, 'notes.txt'), 'mine');
    await symlink(join(caches, builds[0]!), join(caches, 'aaaa-1'));
    await writeFile(join(bundle, 'entry-a.cjs'), ENTRY.replace('sum(10)', 'sum(14)'));
    await runBundle(caches);
    const left = await readdir(caches);
    expect(left).not.toContain(builds[0]);
    expect(left).not.toContain(builds[1]);
    expect(left.filter((name) => builds.includes(name))).toEqual(
      expect.arrayContaining([builds[2], builds[3]]),
    );
    expect(left).toHaveLength(3 + 2);
    expect(left).toEqual(expect.arrayContaining(['notes.txt', 'aaaa-1']));
    // A build used again is kept: the third build's caches are still accepted.
    await writeFile(join(bundle, 'entry-a.cjs'), ENTRY.replace('sum(10)', 'sum(12)'));
    expect((await runBundle(caches)).events).toEqual(['accepted entry-a.cjs', 'accepted dep-b.cjs']);
  }, 120_000);

  it('runs the same when no cache can be written, or none is wanted', async () => {
    // A folder inside a file: it cannot be made (permissions would not stop root).
    await writeFile(join(work, 'a-file'), '');
    const unwritable = await runBundle(join(work, 'a-file', 'caches'));
    expect(unwritable.out).toBe('285');
    expect(unwritable.events).toEqual(['absent entry-a.cjs', 'absent dep-b.cjs']);
    const off = await runBundle(undefined);
    expect(off.out).toBe('285');
    expect(off.events).toEqual(['off entry-a.cjs', 'off dep-b.cjs']);
  }, 60_000);

  it('reads no cache from a folder others may write into', async () => {
    await runBundle(caches);
    await chmod(caches, 0o777);
    const shared = await runBundle(caches);
    expect(shared.out).toBe('285');
    expect(shared.events).toEqual(['absent entry-a.cjs', 'absent dep-b.cjs']);
  }, 60_000);

  it('keeps caches per Node version, flags and command, and none when Node’s compile cache is off', () => {
    const saved = { ...process.env };
    try {
      delete process.env.NODE_DISABLE_COMPILE_CACHE;
      // Beside Node's compile cache: where that is depends on this process (vitest may have enabled it).
      const backup = codeCacheDir('backup');
      expect(backup).toMatch(
        new RegExp(`/stowage-code-cache/${process.version}-${process.arch}-[0-9a-f]{8}/backup$`),
      );
      expect(codeCacheDir('restore')).toBe(backup!.replace(/backup$/, 'restore'));
      process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --max-semi-space-size=8`;
      expect(codeCacheDir('backup')).not.toBe(backup);
      process.env.NODE_DISABLE_COMPILE_CACHE = '1';
      expect(codeCacheDir('backup')).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });
});
