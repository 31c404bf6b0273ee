/**
 * The bench harness's scenario interface. See the comment at the top of
 * bench/run.ts and docs/BENCHMARKS.md for how to write and register one.
 */

/** Options from the command line (`--set key=value`, `--quick`), for scenarios to read. */
export interface ScenarioOptions {
  /** `--set key=value` pairs, as strings. */
  values: Record<string, string>;
  /** `--quick`: a smaller input for a fast smoke run; figures from it are not meant to be quoted. */
  quick: boolean;
  /** Folder for scratch files (archives written by runs, dumps), removed after the scenario. */
  scratchDir: string;
  /** Prints a progress line on stderr. */
  log(message: string): void;
}

/** Runs `tasks[task]` of this scenario in a fresh child process. */
export interface TaskRun {
  task: string;
  /** JSON-serializable arguments handed to the task. */
  args?: unknown;
}

/** Runs an external program (pg_dump, mongodump, zstd, …) as the timed process. */
export interface CommandRun {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Where the program's stdout goes: discarded (default) or a file. */
  stdoutTo?: string;
  /** The exit status that counts as success (default 0), for timing a failure path such as a usage error. */
  expectExit?: number;
}

export interface BenchCase {
  /** Unique within the scenario, e.g. `write-zstd3-file`. Used by `--case` filters and as baseline reference. */
  id: string;
  /** Rows with the same group are shown together in the table, e.g. `zstd 3`. */
  group?: string;
  /** Human label; defaults to the id. */
  label?: string;
  /** Bytes one run processes, for the MB/s column (e.g. raw table bytes). */
  bytes: number;
  /** Id of another case of this scenario whose median this one is compared to (`ratio` column). */
  baseline?: string;
  run: TaskRun | CommandRun;
  /** Untimed, in the runner process, before every run (e.g. drop the restore target). */
  beforeEach?(): Promise<void>;
  /** Untimed, in the runner process, after every run (e.g. check the output, remove it). */
  afterEach?(): Promise<void>;
}

/** What a task reports back from the child process. */
export interface TaskResult {
  /**
   * The timed part in milliseconds, when the task wants to exclude its own
   * setup (loading a corpus into memory, connecting). Defaults to the whole
   * task call.
   */
  ms?: number;
  /** Extra figures to keep in the JSON and show in the table (bytes written, ratio, rows…). */
  metrics?: Record<string, number | string>;
}

export type Task = (args: never) => Promise<TaskResult | undefined>;

export interface Scenario {
  /** What `npm run bench -- NAME` selects. */
  name: string;
  /** One paragraph: what is measured and against what. Goes into the report. */
  description: string;
  /**
   * Runs once in the runner process before any timed run: generate inputs,
   * start or find servers, and return the cases to time.
   */
  prepare(options: ScenarioOptions): Promise<BenchCase[]>;
  /** Runs once after all cases, even after a failure. */
  cleanup?(): Promise<void>;
  /** Functions timed inside child processes, one fresh process per run. */
  tasks?: Record<string, Task>;
}

const SCENARIO = Symbol.for('stowage.bench.scenario');

/** Marks an object as a scenario; the runner registers every exported value made with this. */
export function defineScenario<S extends Scenario>(scenario: S): S {
  Object.defineProperty(scenario, SCENARIO, { value: true });
  return scenario;
}

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SCENARIO] === true;
}

/** Per-run measurement. */
export interface RunSample {
  /** Timed wall clock, ms (the task's own figure, or spawn-to-exit for commands). */
  ms: number;
  /** Spawn to exit of the child process, ms (includes Node start-up and module loading). */
  processMs: number;
  /** Peak resident set size of the child process, KiB. */
  maxRssKiB: number;
  /**
   * CPU time (user + system, all threads) of the run, ms: for tasks, during the
   * task call; for commands, the whole process. Less sensitive to other load
   * on the machine than wall time.
   */
  cpuMs: number;
  metrics: Record<string, number | string>;
}

export interface CaseReport {
  scenario: string;
  id: string;
  group?: string;
  label: string;
  bytes: number;
  baseline?: string;
  runs: RunSample[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Decimal megabytes (10^6 bytes) per second, from the median. */
  mbPerSec: number;
  medianRssMiB: number;
  maxRssMiB: number;
  medianCpuMs: number;
  /** Median over the baseline's median (1.07 = 7% slower than the baseline). */
  ratio?: number;
  /** Median CPU time over the baseline's median CPU time. */
  cpuRatio?: number;
  error?: string;
}
