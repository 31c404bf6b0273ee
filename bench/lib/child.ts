import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { isScenario, type Scenario, type TaskResult } from './harness.js';

/**
 * One timed run, in its own process: `node --import tsx bench/lib/child.ts
 * MODULE SCENARIO TASK ARGS_JSON_FILE RESULT_FILE`. Loads the scenario module,
 * calls the task, and writes `{ ms, cpuMs, metrics, maxRssKiB }` to RESULT_FILE.
 */
const [modulePath, scenarioName, taskName, argsFile, resultFile] = process.argv.slice(2);
if (!modulePath || !scenarioName || !taskName || !argsFile || !resultFile) {
  console.error('usage: child.ts MODULE SCENARIO TASK ARGS_FILE RESULT_FILE');
  process.exit(2);
}

const mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
const scenario = Object.values(mod).find((v): v is Scenario => isScenario(v) && v.name === scenarioName);
const task = scenario?.tasks?.[taskName];
if (!task) {
  console.error(`no task ${taskName} in scenario ${scenarioName} (${modulePath})`);
  process.exit(2);
}
const args = JSON.parse(await readFile(argsFile, 'utf8')) as never;
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result: TaskResult | undefined = await task(args);
const ms = result?.ms ?? performance.now() - started;
// User + system time of every thread of this process (codec workers included) during the task.
const cpu = process.cpuUsage(cpuBefore);
await writeFile(
  resultFile,
  JSON.stringify({
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    metrics: result?.metrics ?? {},
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
// Tasks may leave worker threads or sockets behind; the measurement is done.
process.exit(0);
