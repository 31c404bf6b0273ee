// Runs CLI invocations one after another in this process, through the same
// main() that bin.ts calls, and prints one JSON line per run. Cheaper than a
// process per run (one TypeScript start-up for many restores), and just as
// strict: each run is alone in the process, so a run that loses a promise
// leaves the event loop empty, which is caught here ('beforeExit') and
// reported as `settled: false` where a real process would end with exit code
// 13. Usage: node --import tsx restore-runner.ts RUNS.json
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';

export interface Run {
  index: number;
  args: string[];
  /** The damaged archive this run restores: a copy of `from` at `to`, damaged, removed after the run. */
  archive: { from: string; to: string; flip?: { at: number; bit: number }; truncateAt?: number };
}

export interface RunResult {
  index: number;
  /** False when the event loop ran dry while main() was still pending, or when it hung. */
  settled: boolean;
  /** True when the run was still going after RUN_TIMEOUT_MS: something keeps it waiting forever. */
  hung?: boolean;
  code: number | null;
  stderr: string;
  /** Wall time of the run. */
  ms: number;
}

/**
 * No damaged restore of the test's small archives takes this long, even on a loaded machine: past
 * the stall watchdog's 120 s, a run that has not ended waits on something that never comes.
 */
const RUN_TIMEOUT_MS = Number(process.env.STOWAGE_TORTURE_RUN_TIMEOUT_MS ?? 150_000);

const runs = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Run[];
let current: { run: Run; stderr: string; done: boolean } | undefined;
let next = 0;

function report(result: RunResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function startNext(): void {
  const run = runs[next++];
  if (!run) return;
  const state = { run, stderr: '', done: false };
  const started = Date.now();
  current = state;
  damagedCopy(run.archive);
  // A run far slower than any damaged restore should be is hanging: report it with what holds the
  // event loop, and go on with the next run so one hang does not hide the rest of the share.
  const watchdog = setTimeout(() => {
    if (state.done) return;
    state.done = true;
    report({
      index: run.index,
      settled: false,
      hung: true,
      code: null,
      ms: Date.now() - started,
      stderr: `${state.stderr}[restore-runner] still running after ${RUN_TIMEOUT_MS / 1000} s; active resources: ${process.getActiveResourcesInfo().join(', ')}\n`,
    });
    startNext();
  }, RUN_TIMEOUT_MS);
  watchdog.unref();
  void main(run.args, {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (state.stderr += s) },
    interactive: false,
  }).then(
    (code) => {
      clearTimeout(watchdog);
      // A run already reported as never settling may still finish later, on another run's events.
      if (state.done) return;
      state.done = true;
      rmSync(run.archive.to, { force: true });
      report({ index: run.index, settled: true, code, stderr: state.stderr, ms: Date.now() - started });
      startNext();
    },
    (err) => {
      clearTimeout(watchdog);
      if (state.done) return;
      state.done = true;
      rmSync(run.archive.to, { force: true });
      report({
        index: run.index,
        settled: true,
        code: null,
        ms: Date.now() - started,
        stderr: `${state.stderr}main() rejected: ${err}`,
      });
      startNext();
    },
  );
}

process.on('beforeExit', () => {
  if (!current || current.done) return;
  // Nothing is left that could ever settle this run: record it and go on with the next.
  current.done = true;
  report({ index: current.run.index, settled: false, code: null, stderr: current.stderr, ms: 0 });
  startNext();
});

// In the real CLI (bin.ts) an unhandled rejection or exception ends the process with a stack trace:
// a failure of the run in progress. Record it as that run's result, so the test names it, and go on.
function crashed(kind: string, err: unknown): void {
  const run = current && !current.done ? current : undefined;
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (!run) {
    process.stderr.write(`[restore-runner] ${kind} between runs: ${text}\n`);
    return;
  }
  run.done = true;
  report({
    index: run.run.index,
    settled: true,
    code: null,
    ms: 0,
    stderr: `${run.stderr}${kind}: ${text}\n`,
  });
  startNext();
}
process.on('unhandledRejection', (err) => crashed('unhandled rejection', err));
process.on('uncaughtException', (err) => crashed('uncaught exception', err));

// The test sends SIGUSR2 before it kills a runner that hangs: say which run hung, what it printed and
// what still holds the event loop open, so a hang seen once in CI can be understood from the log.
process.on('SIGUSR2', () => {
  const hung = current && !current.done ? current : undefined;
  process.stderr.write(
    `[restore-runner] hung: ${hung ? `trial ${hung.run.index} (${hung.run.args.join(' ')})\n${hung.stderr}` : 'no run in progress'}\n` +
      `[restore-runner] active resources: ${process.getActiveResourcesInfo().join(', ')}\n`,
  );
});

startNext();

function damagedCopy(archive: Run['archive']): void {
  const original = readFileSync(archive.from);
  const bytes =
    archive.truncateAt !== undefined ? original.subarray(0, archive.truncateAt) : Buffer.from(original);
  if (archive.flip) bytes[archive.flip.at]! ^= archive.flip.bit;
  writeFileSync(archive.to, bytes);
}
