import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list } from '../../src/ops/list.js';
import { restore } from '../../src/ops/restore.js';
import { createPgDatabase } from '../support/pg.js';
import {
  assertRepositoryClean,
  EVENTS,
  type KillBench,
  killBench,
  killTrials,
  NOTES,
  SEED,
  TRIALS,
} from './kill-harness.js';

// Torture: `stowage restore --clean` over a non-empty database, so that it
// first writes a safety backup into the repository, SIGKILLed at seeded random
// moments. A killed safety backup must never look finished, and the target can
// be restored again afterwards.

let bench: KillBench;
beforeAll(async () => {
  bench = await killBench('kill_restore');
});
afterAll(async () => {
  await bench?.close();
});

describe(`SIGKILL of stowage restore (seed ${SEED})`, () => {
  it(`${TRIALS} kills leave only whole archives, and the target restores afterwards`, async () => {
    const target = await createPgDatabase('torture_kill_restore_dst');
    bench.databases.push(target);
    const [archive] = await list({ repository: bench.repo });
    await restore({ archive: archive!.location, target: target.url, safetyBackup: false });
    await killTrials(
      bench,
      async () => [
        'restore',
        archive!.location,
        target.url,
        '--clean',
        '--yes',
        '--safety-backup-to',
        bench.repo,
      ],
      2,
    );
    expect(bench.tally.clean).toBe(TRIALS);
    const again = await restore({
      archive: archive!.location,
      target: target.url,
      engineOptions: { clean: true },
      safetyBackup: false,
    });
    expect(again.items).toMatchObject({ 'public.events': EVENTS, 'public.notes': NOTES });
    expect(await assertRepositoryClean(bench.repo, 'after the trials')).toBeGreaterThan(0);
  }, 600_000);
});
