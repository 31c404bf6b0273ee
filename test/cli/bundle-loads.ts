import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Writes into `work` a module loader hook (module.register works on every supported Node) that
 * notes each file a run loads: how the bundle tests see which of its files a command really loads,
 * dynamic imports in hooks and actions included.
 */
export async function writeLoadLogHook(work: string): Promise<void> {
  await writeFile(
    join(work, 'register.mjs'),
    "import { register } from 'node:module'; register('./log-loads.mjs', import.meta.url);\n",
  );
  await writeFile(
    join(work, 'log-loads.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function load(url, context, next) {',
      "  if (url.startsWith('file:')) appendFileSync(process.env.STOWAGE_LOAD_LOG, url + '\\n');",
      '  return next(url, context);',
      '}',
      '',
    ].join('\n'),
  );
}

/**
 * Runs `bundleDir/bin.js ARGS` with the hook {@link writeLoadLogHook} wrote into `work`, and gives
 * the bundle's files it loaded (relative to `bundleDir`, in load order) with its exit status.
 */
export async function bundleFilesLoadedBy(
  work: string,
  bundleDir: string,
  args: string[],
): Promise<{ files: string[]; exit: number }> {
  const log = join(work, `loads-${args.join('_').replace(/\W+/g, '-').slice(0, 80)}.txt`);
  await rm(log, { force: true });
  const exit = await run(
    process.execPath,
    ['--import', pathToFileURL(join(work, 'register.mjs')).href, join(bundleDir, 'bin.js'), ...args],
    { cwd: work, timeout: 120_000, env: { ...process.env, STOWAGE_LOAD_LOG: log } },
  ).then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  );
  const urls = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const files = [...new Set(urls.map((u) => fileURLToPath(u)))]
    .filter((f) => f.startsWith(`${bundleDir}/`))
    .map((f) => f.slice(bundleDir.length + 1));
  return { files, exit };
}
