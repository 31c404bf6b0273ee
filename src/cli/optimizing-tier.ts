import { setFlagsFromString } from 'node:v8';

/**
 * The commands whose runs keep V8 to its mid tier (Maglev), without its top
 * tier (Turbofan).
 *
 * Turbofan's compiler is some 6 MiB of the node binary's code, paged in by the
 * first function it optimises, and its jobs run on V8's worker threads, whose
 * glibc arenas keep what the jobs freed (~3 MiB each). A 20,000-table
 * backup peaked 6–10 MiB lower without it at the same CPU (docs/BENCHMARKS.md,
 * "Session 19: native"): its time goes to the server and to native code
 * (COPY bytes, zstd, hashing), and it compiles more than it runs hot. Only
 * backup and restore are measured; long-running commands (follow, the
 * daemon) keep Turbofan.
 */
const MAGLEV_ONLY_COMMANDS: ReadonlySet<string> = new Set(['backup', 'restore']);

/**
 * Turns V8's top tier off for the rest of the process when `command` is one
 * of {@link MAGLEV_ONLY_COMMANDS}. Must run before the command's code gets hot:
 * the binary's pages Turbofan touched stay in the resident set. Node's own
 * `--v8-pool-size` or `--no-concurrent-recompilation` would do more, but only
 * as flags when Node starts. For the CLI's own process only: a library leaves
 * its host's compiler alone.
 *
 * Only where Maglev runs ({@link maglevRuns}).
 *
 * @returns whether it turned Turbofan off
 */
export function keepToMaglevFor(command: string): boolean {
  if (!MAGLEV_ONLY_COMMANDS.has(command) || !maglevRuns()) return false;
  setFlagsFromString('--no-turbofan');
  return true;
}

/**
 * Whether V8's Maglev tier runs in this process. Node 22 ships it off (`--no-maglev` is its
 * default), and without Turbofan there every function would stay in the interpreter and Sparkplug:
 * Turbofan is only turned off where Maglev is there to take its place. Node 24 ships it on; a
 * `--maglev`/`--no-maglev` on Node's command line decides (NODE_OPTIONS may not carry either).
 */
export function maglevRuns(): boolean {
  const said = process.execArgv.findLast((flag) => flag === '--maglev' || flag === '--no-maglev');
  if (said) return said === '--maglev';
  return Number(process.versions.node.split('.')[0]) >= 24;
}
