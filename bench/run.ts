/**
 * Stowage bench runner: `npm run bench -- [SCENARIO…] [options]`.
 *
 *   npm run bench -- --list                     scenarios and their cases
 *   npm run bench -- archive --runs 5           time every case of `archive` 5 times
 *   npm run bench -- archive --case zstd3       only cases whose id contains `zstd3`
 *   npm run bench -- archive --set sizeMiB=128  scenario options (see each scenario)
 *   npm run bench -- archive --quick            small input, 1 run: a smoke test of the bench itself
 *
 * Options: --runs N (default 3), --warmup N (untimed runs first, default 1),
 * --case TEXT (repeatable), --set KEY=VALUE (repeatable), --sequential (all
 * runs of one case, then the next; default is rounds: run 1 of every case,
 * then run 2…, so background load drifts hit every case alike), --timeout S
 * (per run, default 1800), --out DIR (default bench/results), --tsx (run tasks
 * from the TypeScript sources through tsx instead of a compiled copy).
 *
 * Every timed run is a fresh child process, so each run's peak RSS is its own
 * and no run warms the next one's heap or JIT. Task runs execute a compiled
 * copy of the repository (tsc into bench/results/.dist-PID, built once per
 * invocation, removed at the end), as users run the published JavaScript: under tsx, every codec
 * worker thread would first load tsx's loader, which alone costs ~0.3 s per
 * worker. For each case the runner
 * reports median/min/max wall time, MB/s (case bytes ÷ median time, 10^6 B/MB),
 * median and max peak RSS, and the ratio to a baseline case when one is named.
 * Results go to bench/results/ (gitignored) as JSON and a markdown table, plus
 * latest.json / latest.md; the table is also printed on stdout.
 *
 * WRITING A SCENARIO (bench/lib/harness.ts has the types):
 *
 *   // bench/scenarios/NAME.ts, or bench/postgres-NAME.ts / bench/mongodb-NAME.ts
 *   import { defineScenario } from './lib/harness.js';   // '../lib/harness.js' from bench/scenarios/
 *   export const scenario = defineScenario({
 *     name: 'pg-dump-compare',
 *     description: 'what is measured, against what',
 *     async prepare(opts) {            // once, in the runner: make inputs, find servers
 *       return [
 *         { id: 'stowage', bytes: N, run: { task: 'backup', args: { url } } },
 *         { id: 'pg_dump', bytes: N, run: { command: 'pg_dump', args: ['-Fc', '-f', '/tmp/x', url] } },
 *         // baseline: the ratio column compares this case's median to that case's
 *         { id: 'stowage-j2', bytes: N, baseline: 'pg_dump', run: { task: 'backup', args: { url, jobs: 2 } },
 *           beforeEach: async () => {}, afterEach: async () => {} },   // untimed, in the runner
 *       ];
 *     },
 *     async cleanup() {},              // once, after all runs (also after a failure)
 *     tasks: {                         // each timed run calls one of these in a fresh child process
 *       async backup(args: { url: string; jobs?: number }) {
 *         // ... do the work; optionally return { ms } to time only part of it,
 *         // and { metrics: { bytes: 123 } } to report extra figures
 *         return { metrics: {} };
 *       },
 *     },
 *   });
 *
 * The runner registers every value made with defineScenario() exported by a
 * module in bench/scenarios/*.ts or bench/*.ts whose text mentions
 * `defineScenario` (other files in bench/ are not imported, so standalone
 * scripts there are left alone). Task arguments must be JSON. A command run is
 * timed from spawn to exit; its peak RSS comes from /usr/bin/time when present
 * (Debian package `time`), else from polling /proc/PID/status VmHWM. A task run
 * is timed by the child around the task call (or by the task's own `ms`); its
 * peak RSS is the child's process.resourceUsage().maxRSS.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type BenchCase,
  type CaseReport,
  type CommandRun,
  isScenario,
  type RunSample,
  type Scenario,
  type ScenarioOptions,
  type TaskRun,
} from './lib/harness.js';
import { cleanUpOnInterrupt, isInterrupted } from './lib/interrupt.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(benchDir, '..');
const childScript = join(benchDir, 'lib', 'child.ts');

interface Args {
  scenarios: string[];
  runs: number;
  warmup: number;
  cases: string[];
  values: Record<string, string>;
  quick: boolean;
  list: boolean;
  sequential: boolean;
  timeoutS: number;
  out: string;
  tsx: boolean;
}

function usage(message?: string): never {
  if (message) console.error(`bench: ${message}`);
  console.error(
    'usage: npm run bench -- [SCENARIO...] [--runs N] [--warmup N] [--case TEXT] [--set K=V] [--quick] [--sequential] [--timeout S] [--out DIR] [--list]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    scenarios: [],
    runs: 3,
    warmup: 1,
    cases: [],
    values: {},
    quick: false,
    list: false,
    sequential: false,
    timeoutS: 1800,
    out: join(benchDir, 'results'),
    tsx: false,
  };
  let runsGiven = false;
  let warmupGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    const int = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) usage(`${arg} needs a whole number, got ${v}`);
      return n;
    };
    switch (arg) {
      case '--runs':
        a.runs = Math.max(1, int(value()));
        runsGiven = true;
        break;
      case '--warmup':
        a.warmup = int(value());
        warmupGiven = true;
        break;
      case '--case':
        a.cases.push(value());
        break;
      case '--set': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) usage(`--set needs KEY=VALUE, got ${kv}`);
        a.values[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--quick':
        a.quick = true;
        break;
      case '--list':
        a.list = true;
        break;
      case '--sequential':
        a.sequential = true;
        break;
      case '--tsx':
        a.tsx = true;
        break;
      case '--timeout':
        a.timeoutS = int(value());
        break;
      case '--out':
        a.out = resolve(value());
        break;
      case '-h':
      case '--help':
        usage();
        break;
      default:
        if (arg.startsWith('-')) usage(`unknown option ${arg}`);
        a.scenarios.push(arg);
    }
  }
  if (a.quick) {
    if (!runsGiven) a.runs = 1;
    if (!warmupGiven) a.warmup = 0;
  }
  return a;
}

const log = (message: string) => console.error(`[bench] ${message}`);

/** Scenario modules: bench/scenarios/*.ts and bench/*.ts that mention defineScenario. */
async function discover(): Promise<Map<string, { scenario: Scenario; module: string }>> {
  const files: string[] = [];
  for (const dir of [benchDir, join(benchDir, 'scenarios')]) {
    if (!existsSync(dir)) continue;
    for (const name of (await readdir(dir)).sort()) {
      if (!name.endsWith('.ts') || name.endsWith('.d.ts') || name.endsWith('.test.ts') || name === 'run.ts')
        continue;
      const file = join(dir, name);
      if (readFileSync(file, 'utf8').includes('defineScenario(')) files.push(file);
    }
  }
  const found = new Map<string, { scenario: Scenario; module: string }>();
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      log(`skipping ${file}: cannot load it (${(err as Error).message.split('\n')[0]})`);
      continue;
    }
    for (const value of Object.values(mod)) {
      if (!isScenario(value)) continue;
      if (found.has(value.name))
        log(`scenario ${value.name} is defined twice; keeping ${found.get(value.name)!.module}`);
      else found.set(value.name, { scenario: value, module: file });
    }
  }
  return found;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const hasGnuTime = existsSync('/usr/bin/time');

/** Spawns a child and waits for it, with a time limit; returns wall ms and, via /usr/bin/time or /proc, peak RSS. */
async function spawnTimed(
  command: string,
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    stdoutTo?: string;
    expectExit?: number;
    timeoutS: number;
  },
): Promise<{ ms: number; maxRssKiB: number; cpuMs: number }> {
  const scratch = await mkdtemp(join(tmpdir(), 'stowage-bench-run-'));
  const timeFile = join(scratch, 'time');
  const [cmd, argv] = hasGnuTime
    ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, command, ...args]]
    : [command, args];
  const { openSync, closeSync } = await import('node:fs');
  const stdoutFd = options.stdoutTo ? openSync(options.stdoutTo, 'w') : undefined;
  const started = performance.now();
  const child = spawn(cmd, argv, {
    cwd: options.cwd ?? repoDir,
    env: { ...process.env, ...options.env },
    // Children write progress to stderr; their stdout must not mix with the runner's table.
    stdio: ['ignore', stdoutFd ?? 'ignore', 'inherit'],
    // A group of its own, so a kill reaches the timed program and not only /usr/bin/time.
    detached: true,
  });
  const kill = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      /* exited */
    }
  };
  let hwm = 0;
  const poll = hasGnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          /* exited */
        }
      }, 20);
  const timer = setTimeout(kill, options.timeoutS * 1000);
  // Stopped by hand: the run ends before the scenario drops what the run was writing to.
  const releaseInterrupt = cleanUpOnInterrupt(async () => kill());
  const code = await new Promise<number | null>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (c, signal) => resolvePromise(signal ? -1 : c));
  }).finally(() => {
    clearTimeout(timer);
    releaseInterrupt();
    if (poll) clearInterval(poll);
    if (stdoutFd !== undefined) closeSync(stdoutFd);
  });
  const ms = performance.now() - started;
  let maxRssKiB = hwm;
  let cpuMs = Number.NaN;
  if (hasGnuTime && existsSync(timeFile)) {
    // The last line; earlier ones are "Command exited with non-zero status".
    const [rss, user, sys] = ((await readFile(timeFile, 'utf8')).trim().split('\n').at(-1) ?? '')
      .split(' ')
      .map(Number);
    maxRssKiB = rss || 0;
    cpuMs = ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000;
  }
  await rm(scratch, { recursive: true, force: true });
  if (code !== (options.expectExit ?? 0))
    throw new Error(
      `${basename(command)} exited with ${code === -1 ? 'a signal (timeout?)' : `code ${code}`}`,
    );
  return { ms, maxRssKiB, cpuMs };
}

/** How task runs start: compiled JavaScript under plain node, or the sources under tsx. */
interface TaskLauncher {
  argv(module: string): string[];
}

// Per invocation: two runners at once (two engineers benchmarking) must not rebuild under each other.
// Inside the repository, so the compiled files resolve node_modules and package.json's "type".
const distDir = join(benchDir, 'results', `.dist-${process.pid}`);

/** Compiles the repository (src, bench) once; falls back to tsx when that does not produce the bench's files. */
async function taskLauncher(useTsx: boolean): Promise<TaskLauncher> {
  const viaTsx: TaskLauncher = { argv: (module) => ['--import', 'tsx', childScript, module] };
  if (useTsx) return viaTsx;
  await rm(distDir, { recursive: true, force: true });
  const tsc = join(repoDir, 'node_modules', '.bin', 'tsc');
  log(`compiling the repository for task runs (tsc → ${distDir.slice(repoDir.length + 1)})`);
  // Type errors elsewhere in the tree (work in progress) do not stop tsc from emitting.
  await new Promise<void>((resolvePromise) => {
    const child = spawn(
      tsc,
      [
        '-p',
        join(repoDir, 'tsconfig.json'),
        '--outDir',
        distDir,
        '--noEmit',
        'false',
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { cwd: repoDir, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('exit', () => resolvePromise());
    child.on('error', () => resolvePromise());
  });
  // src/version.ts reads the package.json one level above src/: give the compiled copy its own.
  await copyFile(join(repoDir, 'package.json'), join(distDir, 'package.json'));
  const compiledChild = join(distDir, 'bench', 'lib', 'child.js');
  if (!existsSync(compiledChild)) {
    log('compiling failed; running tasks from sources through tsx (slower worker start-up)');
    return viaTsx;
  }
  return {
    argv: (module) => {
      const compiled = join(distDir, module.slice(repoDir.length + 1)).replace(/\.ts$/, '.js');
      return existsSync(compiled) ? [compiledChild, compiled] : ['--import', 'tsx', childScript, module];
    },
  };
}

async function runOnce(
  c: BenchCase,
  scenario: Scenario,
  module: string,
  timeoutS: number,
  launcher: TaskLauncher,
): Promise<RunSample> {
  await c.beforeEach?.();
  try {
    if ('task' in c.run) {
      const run = c.run as TaskRun;
      const scratch = await mkdtemp(join(tmpdir(), 'stowage-bench-task-'));
      try {
        const argsFile = join(scratch, 'args.json');
        const resultFile = join(scratch, 'result.json');
        await writeFile(argsFile, JSON.stringify(run.args ?? {}));
        const { ms: processMs, maxRssKiB } = await spawnTimed(
          process.execPath,
          [...launcher.argv(module), scenario.name, run.task, argsFile, resultFile],
          { timeoutS },
        );
        const result = JSON.parse(await readFile(resultFile, 'utf8')) as {
          ms: number;
          cpuMs: number;
          metrics: Record<string, number | string>;
          maxRssKiB: number;
        };
        return {
          ms: result.ms,
          processMs,
          maxRssKiB: Math.max(maxRssKiB, result.maxRssKiB),
          cpuMs: result.cpuMs,
          metrics: result.metrics,
        };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
    const run = c.run as CommandRun;
    const { ms, maxRssKiB, cpuMs } = await spawnTimed(run.command, run.args ?? [], {
      env: run.env,
      cwd: run.cwd,
      stdoutTo: run.stdoutTo,
      expectExit: run.expectExit,
      timeoutS,
    });
    return { ms, processMs: ms, maxRssKiB, cpuMs, metrics: {} };
  } finally {
    await c.afterEach?.();
  }
}

function summarize(scenario: string, c: BenchCase, runs: RunSample[], error?: string): CaseReport {
  const times = runs.map((r) => r.ms);
  const rss = runs.map((r) => r.maxRssKiB / 1024);
  const med = runs.length ? median(times) : Number.NaN;
  return {
    scenario,
    id: c.id,
    group: c.group,
    label: c.label ?? c.id,
    bytes: c.bytes,
    baseline: c.baseline,
    runs,
    medianMs: med,
    minMs: runs.length ? Math.min(...times) : Number.NaN,
    maxMs: runs.length ? Math.max(...times) : Number.NaN,
    mbPerSec: c.bytes / 1e6 / (med / 1000),
    medianRssMiB: runs.length ? median(rss) : Number.NaN,
    maxRssMiB: runs.length ? Math.max(...rss) : Number.NaN,
    medianCpuMs: runs.length ? median(runs.map((r) => r.cpuMs)) : Number.NaN,
    error,
  };
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

/** Metric values that differ between runs are shown as their median when numeric. */
function metricSummary(runs: RunSample[]): string {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))];
  return keys
    .map((k) => {
      const values = runs.map((r) => r.metrics[k]).filter((v) => v !== undefined);
      const v = values.every((x) => typeof x === 'number') ? median(values as number[]) : values[0];
      return `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : v}`;
    })
    .join(', ');
}

function markdownTable(reports: CaseReport[]): string {
  const lines = [
    '| case | median s | min s | max s | MB/s | CPU s | peak RSS MiB (median / max) | vs baseline (wall, CPU) | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of reports) {
    const pct = (x: number | undefined) =>
      x === undefined || !Number.isFinite(x) ? '–' : `${x >= 1 ? '+' : ''}${fmt((x - 1) * 100, 1)}%`;
    const base = r.ratio !== undefined ? `${pct(r.ratio)}, ${pct(r.cpuRatio)} vs ${r.baseline}` : '';
    const notes = r.error ? `FAILED: ${r.error}` : metricSummary(r.runs);
    lines.push(
      `| ${r.group ? `${r.group}: ` : ''}${r.label} | ${fmt(r.medianMs / 1000, 3)} | ${fmt(r.minMs / 1000, 3)} | ${fmt(r.maxMs / 1000, 3)} | ${fmt(r.mbPerSec, 1)} | ${fmt(r.medianCpuMs / 1000, 2)} | ${fmt(r.medianRssMiB, 0)} / ${fmt(r.maxRssMiB, 0)} | ${base} | ${notes} |`,
    );
  }
  return lines.join('\n');
}

function machine() {
  const cpu = cpus();
  let git: string | undefined;
  try {
    const head = readFileSync(join(repoDir, '.git', 'HEAD'), 'utf8').trim();
    git = head.startsWith('ref: ') ? readFileSync(join(repoDir, '.git', head.slice(5)), 'utf8').trim() : head;
  } catch {
    git = undefined;
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
    git,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const registry = await discover();
  if (args.list || args.scenarios.length === 0) {
    if (registry.size === 0) log('no scenarios found');
    for (const [name, { scenario, module }] of registry) {
      console.log(`${name}  (${module.slice(repoDir.length + 1)})\n  ${scenario.description}\n`);
    }
    if (!args.list) console.error('pick one or more scenarios: npm run bench -- NAME [--runs N]');
    return;
  }
  for (const name of args.scenarios) if (!registry.has(name)) usage(`no scenario named ${name}; try --list`);

  const launcher = await taskLauncher(args.tsx);
  const startedAt = machine();
  const loadBefore = loadavg();
  const reports: CaseReport[] = [];
  const descriptions: Record<string, string> = {};
  for (const name of args.scenarios) {
    if (isInterrupted()) break;
    const { scenario, module } = registry.get(name)!;
    descriptions[name] = scenario.description;
    const scratchDir = await mkdtemp(join(tmpdir(), `stowage-bench-${name}-`));
    const cleanUp = async () => {
      await scenario.cleanup?.().catch((err) => log(`${name}: cleanup failed: ${(err as Error).message}`));
      await rm(scratchDir, { recursive: true, force: true });
    };
    const releaseInterrupt = cleanUpOnInterrupt(cleanUp);
    const options: ScenarioOptions = {
      values: args.values,
      quick: args.quick,
      scratchDir,
      log: (m) => log(`${name}: ${m}`),
    };
    try {
      log(`${name}: preparing`);
      let cases = await scenario.prepare(options);
      if (args.cases.length) cases = cases.filter((c) => args.cases.some((f) => c.id.includes(f)));
      if (cases.length === 0) {
        log(`${name}: no case matches ${args.cases.join(', ')}`);
        continue;
      }
      const samples = new Map<string, RunSample[]>(cases.map((c) => [c.id, []]));
      const errors = new Map<string, string>();
      const once = async (c: BenchCase, label: string) => {
        if (errors.has(c.id) || isInterrupted()) return;
        try {
          const s = await runOnce(c, scenario, module, args.timeoutS, launcher);
          log(
            `${name}/${c.id} ${label}: ${fmt(s.ms / 1000, 3)} s, ${fmt(c.bytes / 1e6 / (s.ms / 1000), 1)} MB/s, ${fmt(s.maxRssKiB / 1024, 0)} MiB`,
          );
          if (label.startsWith('run')) samples.get(c.id)!.push(s);
        } catch (err) {
          errors.set(c.id, (err as Error).message);
          log(`${name}/${c.id} ${label} FAILED: ${(err as Error).message}`);
        }
      };
      const plan = [
        ...Array.from({ length: args.warmup }, (_, i) => `warmup ${i + 1}`),
        ...Array.from({ length: args.runs }, (_, i) => `run ${i + 1}/${args.runs}`),
      ];
      if (args.sequential) {
        for (const c of cases) for (const label of plan) await once(c, label);
      } else {
        for (const label of plan) for (const c of cases) await once(c, label);
      }
      const scenarioReports = cases.map((c) => summarize(name, c, samples.get(c.id)!, errors.get(c.id)));
      for (const r of scenarioReports) {
        const base = scenarioReports.find((b) => b.id === r.baseline);
        if (base && Number.isFinite(base.medianMs) && Number.isFinite(r.medianMs)) {
          r.ratio = r.medianMs / base.medianMs;
          r.cpuRatio = r.medianCpuMs / base.medianCpuMs;
        }
      }
      reports.push(...scenarioReports);
    } finally {
      releaseInterrupt();
      await cleanUp();
    }
  }

  // A run stopped by hand leaves no report, least of all latest.md with its failures.
  if (isInterrupted()) return;
  const loadAfter = loadavg();
  const environment = {
    ...startedAt,
    finishedAt: new Date().toISOString(),
    loadavgBefore: loadBefore.map((x) => Number(x.toFixed(2))),
    loadavgAfter: loadAfter.map((x) => Number(x.toFixed(2))),
    // Passwords in connection URLs (--set url=postgres://user:secret@…) stay out of the report.
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.replace(
      /(\/\/[^:/@\s]+):[^@\s]+@/g,
      '$1:***@',
    ),
    runs: args.runs,
    warmup: args.warmup,
    quick: args.quick,
    order: args.sequential ? 'sequential' : 'rounds',
    code: args.tsx ? 'sources via tsx' : 'compiled (tsc) JavaScript',
    rssSource: hasGnuTime
      ? '/usr/bin/time %M (task runs: also process.resourceUsage().maxRSS)'
      : '/proc VmHWM polling (task runs: process.resourceUsage().maxRSS)',
  };
  const md = [
    `# Stowage bench: ${args.scenarios.join(', ')}`,
    '',
    `- date: ${environment.date} → ${environment.finishedAt}`,
    `- command: \`${environment.command}\``,
    `- machine: ${environment.cpu}, ${environment.cores} cores, ${environment.memoryGiB} GiB, ${environment.platform}, Node ${environment.node}`,
    `- load average (1/5/15 min) before: ${environment.loadavgBefore.join(' ')}, after: ${environment.loadavgAfter.join(' ')}`,
    `- ${args.runs} timed run(s) per case after ${args.warmup} warm-up run(s), ${environment.order}; each run is a fresh process running ${environment.code}`,
    '',
    ...args.scenarios.flatMap((n) => [
      `## ${n}`,
      '',
      descriptions[n] ?? '',
      '',
      markdownTable(reports.filter((r) => r.scenario === n)),
      '',
    ]),
  ].join('\n');
  await mkdir(args.out, { recursive: true });
  const stamp = environment.date.replace(/[:.]/g, '-');
  const base = join(args.out, `${stamp}-${args.scenarios.join('+')}${args.quick ? '-quick' : ''}`);
  const json = JSON.stringify({ environment, descriptions, reports }, null, 2);
  await writeFile(`${base}.json`, json);
  await writeFile(`${base}.md`, md);
  await writeFile(join(args.out, 'latest.json'), json);
  await writeFile(join(args.out, 'latest.md'), md);
  console.log(md);
  log(`results: ${base}.json and .md`);
  if (reports.some((r) => r.error)) process.exitCode = 1;
}

const removeDist = () => rm(distDir, { recursive: true, force: true });
const releaseDistCleanup = cleanUpOnInterrupt(removeDist);
try {
  await main();
} finally {
  releaseDistCleanup();
  await removeDist();
}
