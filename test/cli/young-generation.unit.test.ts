import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_CAP } from '../../src/cli/young-generation.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');

/** The largest young generation a child saw while allocating; V8 may grow it to 128 MiB. */
async function largestYoungGeneration(
  mode: 'capped' | 'uncapped' | 'burst' | 'long-step' | 'settled',
): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    // The same ceiling for V8 whatever this machine's memory, so the uncapped run shows the growth.
    ['--max-semi-space-size=64', '--import', 'tsx', 'test/cli/young-generation-child.ts', mode],
    { cwd: repoRoot, timeout: 60_000 },
  );
  return Number(stdout.trim());
}

describe('the young generation cap (CLI process)', () => {
  it('stops the young generation growing past the cap, which it otherwise passes', async () => {
    const [capped, uncapped] = await Promise.all([
      largestYoungGeneration('capped'),
      largestYoungGeneration('uncapped'),
    ]);
    expect(uncapped).toBeGreaterThan(2 * YOUNG_GENERATION_CAP);
    expect(capped).toBeGreaterThan(0);
    // Stopped at the first size that reaches the cap (V8 may count a page over it), not one doubling later.
    expect(capped).toBeGreaterThanOrEqual(YOUNG_GENERATION_CAP);
    expect(capped).toBeLessThan(2 * YOUNG_GENERATION_CAP);
  }, 90_000);

  it('holds the young generation within the cap through a long synchronous step', async () => {
    // One synchronous burst of allocation: the cap's observer only hears of collections between
    // tasks, so outside a long step the space doubles past the cap before it can act.
    const [inStep, outside] = await Promise.all([
      largestYoungGeneration('long-step'),
      largestYoungGeneration('burst'),
    ]);
    expect(outside).toBeGreaterThan(YOUNG_GENERATION_CAP);
    expect(inStep).toBeGreaterThan(0);
    expect(inStep).toBeLessThanOrEqual(YOUNG_GENERATION_CAP);
  }, 90_000);

  it('holds the young generation at its size from a settled garbage point on (a restore), under the cap', async () => {
    const [settled, capped] = await Promise.all([
      largestYoungGeneration('settled'),
      largestYoungGeneration('capped'),
    ]);
    expect(capped).toBeGreaterThanOrEqual(YOUNG_GENERATION_CAP);
    expect(settled).toBeGreaterThan(0);
    expect(settled).toBeLessThan(YOUNG_GENERATION_CAP);
  }, 90_000);
});
