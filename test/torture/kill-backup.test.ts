import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertRepositoryClean,
  type KillBench,
  killBench,
  killTrials,
  SEED,
  TRIALS,
} from './kill-harness.js';

// Torture: `stowage backup` SIGKILLed at seeded random moments while it works
// (STOWAGE_TORTURE_SEED repeats a run). Nothing killed may look like a finished
// archive: every archive listed verifies, and the next backup still works.

let bench: KillBench;
beforeAll(async () => {
  bench = await killBench('kill_backup');
});
afterAll(async () => {
  await bench?.close();
});

describe(`SIGKILL of stowage backup (seed ${SEED})`, () => {
  it(`${TRIALS} kills leave only whole archives, and the repository stays usable`, async () => {
    await killTrials(bench, async () => ['backup', bench.source.url, '--to', bench.repo], 1);
    expect(bench.tally.clean).toBe(TRIALS);
    const { runCliProcess } = await import('./cli-process.js');
    const after = await runCliProcess(['backup', bench.source.url, '--to', bench.repo, '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(await assertRepositoryClean(bench.repo, 'after the trials')).toBeGreaterThan(1);
  }, 600_000);
});
