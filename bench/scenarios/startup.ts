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
 * `node` as the `stowage` bin runs it.
 *
 * - node-floor: `node -e 0`, what Node itself costs on this machine (nothing
 *   below it is reachable; compare the other cases to it).
 * - version-tsc / help-tsc: `--version` and `backup --help` from tsc's
 *   one-file-per-module output (how the CLI ran before it was bundled).
 * - version-bundle / help-bundle: the same from the esbuild bundle
 *   (scripts/bundle-cli.mjs), which `package.json` `bin` points at; ratio
 *   against the tsc case.
 * - list-bundle: `list` of an empty repository folder: a command that loads
 *   the catalog and archive code and touches the file system.
 *
 * Both builds are made fresh into bench/results/.startup-PID and removed at
 * the end, so the figures compare today's sources. Start-up is short and
 * noisy: run many rounds (`--runs 31`) and read the medians; rounds interleave
 * the cases, so load from other processes hits them alike.
 */
export const scenario = defineScenario({
  name: 'startup',
  description: 'CLI start-up through node: tsc output against the esbuild bundle',
  async prepare(options) {
    const { tscBin, bundleBin } = await buildBoth(options.log);
    const node = process.execPath;
    const repository = join(options.scratchDir, 'empty-repository');
    await mkdir(repository);
    const cases: BenchCase[] = [
      { id: 'node-floor', bytes: 0, run: { command: node, args: ['-e', '0'] } },
      { id: 'version-tsc', bytes: 0, run: { command: node, args: [tscBin, '--version'] } },
      {
        id: 'version-bundle',
        bytes: 0,
        baseline: 'version-tsc',
        run: { command: node, args: [bundleBin, '--version'] },
      },
      { id: 'help-tsc', bytes: 0, run: { command: node, args: [tscBin, 'backup', '--help'] } },
      {
        id: 'help-bundle',
        bytes: 0,
        baseline: 'help-tsc',
        run: { command: node, args: [bundleBin, 'backup', '--help'] },
      },
      {
        id: 'list-bundle',
        bytes: 0,
        baseline: 'version-bundle',
        run: { command: node, args: [bundleBin, 'list', repository] },
      },
    ];
    return cases;
  },
  async cleanup() {
    await rm(buildDir, { recursive: true, force: true });
  },
});
