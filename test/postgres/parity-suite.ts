// One parity theme as a test suite: its fixture files loaded into a fresh
// database, proven pg_restore-able, then round-tripped through Stowage with
// --jobs 1 and 4 (test/postgres/parity.ts holds the oracle).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';
import {
  expectStowageParity,
  loadParityFixtures,
  type ParityRun,
  pgRoundTrip,
  schemaEntries,
} from './parity.js';
import { backupToMemory, restoreFromMemory, tableChecksums } from './support.js';

/**
 * Declares the parity tests for `files`. Owners and grants are compared, with
 * ownership restored by today's `owner` option. A last test restores the
 * backup again over a restored copy with --clean (every DROP must be valid).
 */
export function describeParity(
  theme: string,
  files: string[],
  run: ParityRun = {},
  /** Declare the tests skipped (a theme whose object kind the engine does not back up yet). */
  skip = false,
): void {
  (skip ? describe.skip : describe)(`postgres parity: ${theme}`, () => {
    let source: TestPgDatabase;
    const created: TestPgDatabase[] = [];

    beforeAll(async () => {
      source = await createPgDatabase('parity_src');
      await loadParityFixtures(source.url, files);
    });
    afterAll(async () => {
      await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
    });

    it('round-trips through pg_dump and pg_restore (the fixture is restorable)', async () => {
      const target = await createPgDatabase('parity_pg');
      created.push(target);
      const result = pgRoundTrip(source.url, target.url);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    for (const jobs of [1, 4]) {
      it(`round-trips through stowage with --jobs ${jobs}`, async () => {
        created.push(
          await expectStowageParity(source.url, {
            ...run,
            jobs,
            restore: { owner: true, ...run.restore },
          }),
        );
      });
    }

    it('restores again over its own restore with --clean', async () => {
      const restore = { owner: true, ...run.restore };
      const target = await expectStowageParity(source.url, { ...run, restore });
      created.push(target);
      const backup = await backupToMemory(source.url, run.backup ?? {}, 2);
      await restoreFromMemory(target.url, backup, { ...restore, clean: true }, 2);
      expect(schemaEntries(target.url)).toEqual(schemaEntries(source.url));
      expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
    });
  });
}
