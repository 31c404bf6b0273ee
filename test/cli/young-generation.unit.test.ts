import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_CAP } from '../../src/cli/young-generation.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');

/** The largest young generation a child saw while allocating; V8 may grow it to 128 MiB. */
async function largestYoungGeneration(mode: 'capped' | 'uncapped'): Promise<number> {
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
});
