import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { prune } from '../../src/ops/prune.js';
import {
  assertRepositoryClean,
  type KillBench,
  killBench,
  killTrials,
  SEED,
  TRIALS,
} from './kill-harness.js';

// Torture: `stowage prune` SIGKILLed at seeded random points of its run time
// (it is too quick to report progress first), with archives to delete every
// time. What is left must list and verify, and prune must work afterwards.

let bench: KillBench;
beforeAll(async () => {
  bench = await killBench('kill_prune');
});
afterAll(async () => {
  await bench?.close();
});

describe(`SIGKILL of stowage prune (seed ${SEED})`, () => {
  it(`${TRIALS} kills leave a repository that lists, verifies and prunes`, async () => {
    await killTrials(
      bench,
      async (trial) => {
        // Something to delete each time (the measuring dry run needs nothing new).
        if (trial >= 0) await backup({ source: bench.source.url, to: bench.repo, preflight: false });
        return ['prune', bench.repo, '--keep-last', '1'];
      },
      3,
      'runtime',
    );
    expect(bench.tally.clean).toBe(TRIALS);
    const result = await prune({ repository: bench.repo, policy: { keepLast: 1 } });
    expect(result.kept.length).toBeGreaterThan(0);
    expect(await assertRepositoryClean(bench.repo, 'after the trials')).toBe(result.kept.length);
  }, 600_000);
});
