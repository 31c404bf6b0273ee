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
  /** False when the event loop ran dry while main() was still pending. */
  settled: boolean;
  code: number | null;
  stderr: string;
}

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
  current = state;
  damagedCopy(run.archive);
  void main(run.args, {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (state.stderr += s) },
    interactive: false,
  }).then(
    (code) => {
      // A run already reported as never settling may still finish later, on another run's events.
      if (state.done) return;
      state.done = true;
      rmSync(run.archive.to, { force: true });
      report({ index: run.index, settled: true, code, stderr: state.stderr });
      startNext();
    },
    (err) => {
      if (state.done) return;
      state.done = true;
      rmSync(run.archive.to, { force: true });
      report({
        index: run.index,
        settled: true,
        code: null,
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
  report({ index: current.run.index, settled: false, code: null, stderr: current.stderr });
  startNext();
});

startNext();

function damagedCopy(archive: Run['archive']): void {
  const original = readFileSync(archive.from);
  const bytes =
    archive.truncateAt !== undefined ? original.subarray(0, archive.truncateAt) : Buffer.from(original);
  if (archive.flip) bytes[archive.flip.at]! ^= archive.flip.bit;
  writeFileSync(archive.to, bytes);
}
