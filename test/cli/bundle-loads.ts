import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CodeCacheEvent } from '../../src/cli/code-cache.js';

const run = promisify(execFile);

/**
 * Writes into `work` a preload (`node -r`) that notes each bundle file a run loads and what became of
 * its code cache, from the channel the bundle's loader publishes on (src/cli/code-cache.ts): how the
 * bundle tests see which of its files a command really loads, dynamic imports in hooks and actions
 * included, in the main thread and in codec worker threads.
 */
export async function writeLoadLogHook(work: string): Promise<void> {
  await writeFile(
    join(work, 'log-loads.cjs'),
    [
      "const { appendFileSync } = require('node:fs');",
      "require('node:diagnostics_channel').subscribe('stowage:code-cache', (event) => {",
      "  appendFileSync(process.env.STOWAGE_LOAD_LOG, JSON.stringify(event) + '\\n');",
      '});',
      '',
    ].join('\n'),
  );
}

/**
 * Runs `bundleDir/bin.js ARGS` with the preload {@link writeLoadLogHook} wrote into `work`, and gives
 * the bundle's files it loaded (relative to `bundleDir`, in load order), every code cache event and
 * its exit status. `env` adds to the environment (a cache folder: `NODE_COMPILE_CACHE`).
 */
export async function bundleFilesLoadedBy(
  work: string,
  bundleDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ files: string[]; events: CodeCacheEvent[]; exit: number }> {
  const log = join(work, `loads-${args.join('_').replace(/\W+/g, '-').slice(0, 80)}.txt`);
  await rm(log, { force: true });
  const exit = await run(
    process.execPath,
    ['-r', join(work, 'log-loads.cjs'), join(bundleDir, 'bin.js'), ...args],
    {
      cwd: work,
      timeout: 120_000,
      // The run's caches go into `work` (removed with it), unless `env` names another folder.
      env: { ...process.env, NODE_COMPILE_CACHE: join(work, 'compile-cache'), ...env, STOWAGE_LOAD_LOG: log },
    },
  ).then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  );
  const events = (await readFile(log, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CodeCacheEvent);
  const files = [...new Set(events.filter((e) => e.cache !== 'written').map((e) => e.file))]
    .filter((f) => f.startsWith(`${bundleDir}/`))
    .map((f) => f.slice(bundleDir.length + 1));
  return { files, events, exit };
}
