// Bench runs on a shared server: each run's scratch databases are its own, and a run
// stopped by hand (Ctrl-C) still drops them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const benchLib = join(import.meta.dirname, '../../bench/lib');
const dir = mkdtempSync(join(tmpdir(), 'stowage-bench-lib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `source` as a TypeScript module in a fresh Node process (as the bench runner is one). */
function runScript(source: string, onReady?: (pid: number) => void) {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (stdout.includes('ready\n') && onReady) {
      onReady(child.pid as number);
      onReady = undefined;
    }
  });
  return new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

describe('bench scratch databases', () => {
  it('two runs name the same scratch database differently; one run names it the same each time', async () => {
    const script = `import { scratchDatabaseName } from ${JSON.stringify(join(benchLib, 'scratch-names.ts'))};
      console.log(JSON.stringify([scratchDatabaseName('stowage_bench_many_restore_3000'), scratchDatabaseName('stowage_bench_many_restore_3000')]));`;
    const [a, b] = await Promise.all([runScript(script), runScript(script)]);
    const [a1, a2] = JSON.parse(a.stdout) as string[];
    const [b1] = JSON.parse(b.stdout) as string[];
    expect(a1).toBe(a2);
    expect(a1).toMatch(/^stowage_bench_many_restore_3000_\w+$/);
    expect(b1).toMatch(/^stowage_bench_many_restore_3000_\w+$/);
    expect(a1).not.toBe(b1);
  });

  it('refuses a name PostgreSQL would cut at 63 bytes', async () => {
    const { scratchDatabaseName } = await import('../../bench/lib/scratch-names.js');
    expect(() => scratchDatabaseName('x'.repeat(60))).toThrow(/too long/);
  });

  it('a run stopped with SIGINT runs its cleanups, newest first, and exits 130; a released one is not run', async () => {
    const log = join(dir, 'cleanups.log');
    const script = `import { appendFileSync } from 'node:fs';
      import { cleanUpOnInterrupt } from ${JSON.stringify(join(benchLib, 'interrupt.ts'))};
      const note = (what: string) => async () => { await new Promise((r) => setTimeout(r, 20)); appendFileSync(${JSON.stringify(log)}, what + '\\n'); };
      cleanUpOnInterrupt(note('build folder'));
      const release = cleanUpOnInterrupt(note('finished scenario'));
      release();
      cleanUpOnInterrupt(note('restore target'));
      setInterval(() => {}, 1000);
      console.log('ready');`;
    const { code } = await runScript(script, (pid) => process.kill(pid, 'SIGINT'));
    expect(code).toBe(130);
    expect(readFileSync(log, 'utf8')).toBe('restore target\nbuild folder\n');
  });
});
