// Bench inputs kept between runs (bench/lib/shared-input.ts): two runs at once never
// read half of one, nor write into the other's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSharedInput, publishSharedInput } from '../../bench/lib/shared-input.js';

const benchLib = join(import.meta.dirname, '../../bench/lib');
const dir = mkdtempSync(join(tmpdir(), 'stowage-shared-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `source` as a TypeScript module in a fresh Node process, as a bench run is one. */
function runScript(source: string): Promise<{ code: number | null; stdout: string }> {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, source);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

describe('shared bench inputs', () => {
  it('two runs making one at once each see it whole, written under their own names', async () => {
    const path = join(dir, 'inputs', 'many.stow');
    // Both start making once both are up (each waits for the other's mark), each writes its
    // copy slowly, in pieces, and reports the name it wrote under.
    const marks = join(dir, 'marks');
    const script = `import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
      import { makeSharedInput } from ${JSON.stringify(join(benchLib, 'shared-input.ts'))};
      mkdirSync(${JSON.stringify(join(dir, 'inputs'))}, { recursive: true });
      let wroteTo = '';
      mkdirSync(${JSON.stringify(marks)}, { recursive: true });
      writeFileSync(${JSON.stringify(marks)} + '/' + process.pid, '');
      while (readdirSync(${JSON.stringify(marks)}).length < 2) await new Promise((r) => setTimeout(r, 10));
      await makeSharedInput(${JSON.stringify(path)}, async (into) => {
        wroteTo = into;
        for (let i = 0; i < 20; i++) {
          appendFileSync(into, 'x'.repeat(1000));
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      console.log(JSON.stringify(wroteTo));`;
    const [a, b] = await Promise.all([runScript(script), runScript(script)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [intoA, intoB] = [JSON.parse(a.stdout) as string, JSON.parse(b.stdout) as string];
    expect(intoA).not.toBe(intoB);
    expect(intoA.endsWith('/many.stow')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('x'.repeat(20_000));
    expect(readdirSync(join(dir, 'inputs'))).toEqual(['many.stow']);
  });

  it('is not made again when there, and a failed make leaves nothing', async () => {
    const path = join(dir, 'again', 'dump.gz');
    expect(await makeSharedInput(path, async (into) => writeFileSync(into, 'one'))).toBe(true);
    expect(await makeSharedInput(path, async (into) => writeFileSync(into, 'two'))).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('one');
    const failed = join(dir, 'again', 'failed.gz');
    await expect(
      makeSharedInput(failed, async (into) => {
        writeFileSync(into, 'half');
        throw new Error('mongodump failed');
      }),
    ).rejects.toThrow(/mongodump failed/);
    expect(readdirSync(join(dir, 'again'))).toEqual(['dump.gz']);
  });

  it('a published copy replaces the shared one whole and leaves the run its own', async () => {
    const own = join(dir, 'own.stow');
    const shared = join(dir, 'published', 'shared.stow');
    writeFileSync(own, 'new archive');
    await publishSharedInput(own, shared);
    await publishSharedInput(own, shared);
    expect(readFileSync(shared, 'utf8')).toBe('new archive');
    expect(readFileSync(own, 'utf8')).toBe('new archive');
    expect(readdirSync(join(dir, 'published'))).toEqual(['shared.stow']);
  });
});
