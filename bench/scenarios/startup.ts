import { execFile } from 'node:child_process';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BenchCase, defineScenario } from '../lib/harness.js';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
// Inside the repository, so both builds resolve node_modules as an installed package does.
const buildDir = join(repoRoot, 'bench/results', `.startup-${process.pid}`);

/** Builds the CLI both ways: tsc's one-file-per-module output and the esbuild bundle `bin` points at. */
async function buildBoth(log: (message: string) => void): Promise<{ tscBin: string; bundleBin: string }> {
  await rm(buildDir, { recursive: true, force: true });
  await mkdir(buildDir, { recursive: true });
  log('building the CLI with tsc and with esbuild');
  const tscOut = join(buildDir, 'tsc');
  await run(process.execPath, [
    join(repoRoot, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(repoRoot, 'tsconfig.build.json'),
    '--outDir',
    tscOut,
  ]);
  // src/version.ts reads ../package.json next to the compiled tree.
  await copyFile(join(repoRoot, 'package.json'), join(buildDir, 'package.json'));
  const bundleOut = join(buildDir, 'bundle');
  await run(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', bundleOut]);
  return { tscBin: join(tscOut, 'cli/bin.js'), bundleBin: join(bundleOut, 'bin.js') };
}

/**
 * CLI start-up: how long a command takes before it does anything, through
 * `node` as the `stowage` bin runs it (issue 13: every command under 0.12 s).
 *
 * - node-floor: `node -e 0`, what Node itself costs on this machine (nothing
 *   below it is reachable; compare the other cases to it).
 * - version-tsc / backup-help-tsc: `--version` and `backup --help` from tsc's
 *   one-file-per-module output (how the CLI ran before it was bundled).
 * - version-bundle, help-bundle (`--help`), backup-help-bundle,
 *   restore-help-bundle: the same from the esbuild bundle
 *   (scripts/bundle-cli.mjs) that `package.json` `bin` points at.
 * - bad-url-bundle: `backup` of a mistyped PostgreSQL URL (a bad port), the
 *   usage-error path (exit 2) a user hits first.
 * - list-bundle: `list` of an empty repository folder: a command that loads
 *   the catalog and archive code and touches the file system.
 *
 * `--set node=PATH` times another Node (the issue's figures are Node 24's);
 * default: the Node running the bench. Both builds are made fresh into
 * bench/results/.startup-PID and removed at the end, so the figures compare
 * today's sources. Start-up is short and noisy: run many rounds
 * (`--runs 31`) and read the medians and the CPU column; rounds interleave
 * the cases, so load from other processes hits them alike.
 */
export const scenario = defineScenario({
  name: 'startup',
  description: 'CLI start-up through node: tsc output against the esbuild bundle, help and usage-error paths',
  async prepare(options) {
    const { tscBin, bundleBin } = await buildBoth(options.log);
    const node = options.values.node ?? process.execPath;
    const repository = join(options.scratchDir, 'empty-repository');
    await mkdir(repository);
    const cli = (
      id: string,
      bin: string,
      args: string[],
      baseline?: string,
      expectExit?: number,
    ): BenchCase => ({
      id,
      bytes: 0,
      baseline,
      run: { command: node, args: [bin, ...args], expectExit },
    });
    const badUrl = ['backup', 'postgres://app@localhost:99999/shop', '--to', repository];
    return [
      { id: 'node-floor', bytes: 0, run: { command: node, args: ['-e', '0'] } },
      cli('version-tsc', tscBin, ['--version']),
      cli('version-bundle', bundleBin, ['--version'], 'version-tsc'),
      cli('help-bundle', bundleBin, ['--help'], 'node-floor'),
      cli('backup-help-tsc', tscBin, ['backup', '--help']),
      cli('backup-help-bundle', bundleBin, ['backup', '--help'], 'backup-help-tsc'),
      cli('restore-help-bundle', bundleBin, ['restore', '--help'], 'node-floor'),
      cli('bad-url-bundle', bundleBin, badUrl, 'node-floor', 2),
      cli('list-bundle', bundleBin, ['list', repository], 'version-bundle'),
    ];
  },
  async cleanup() {
    await rm(buildDir, { recursive: true, force: true });
  },
});
