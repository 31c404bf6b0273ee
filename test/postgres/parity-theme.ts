// One parity theme as a test suite: load some fixture files into a source
// database, prove pg_dump + pg_restore round-trip them, then prove Stowage
// does too with one and with four jobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';
import {
  expectStowageParity,
  loadParityFixtures,
  type ParityRun,
  parityFixtures,
  pgRoundTrip,
  schemaEntries,
} from './parity.js';
import { backupToMemory, restoreFromMemory, tableChecksums } from './support.js';

export interface ParityTheme {
  /** Fixture file name parts (`30-`), loaded in name order. */
  fixtures: string[];
  /** Engine options for every Stowage run. */
  run?: Omit<ParityRun, 'jobs'>;
  /** Extra checks on the source and a Stowage-restored target. */
  check?: (source: string, target: string) => Promise<void>;
}

export function describeParityTheme(title: string, theme: ParityTheme): void {
  describe(`parity: ${title}`, () => {
    let source: TestPgDatabase;
    const made: TestPgDatabase[] = [];

    beforeAll(async () => {
      source = await createPgDatabase('parity_src');
      made.push(source);
      await loadParityFixtures(source.url, parityFixtures(theme.fixtures));
    });

    afterAll(async () => {
      await Promise.all(made.map((db) => db.drop()));
    });

    it('is restored by pg_dump + pg_restore (the fixture is fair)', async () => {
      const target = await createPgDatabase('parity_pg');
      made.push(target);
      const result = pgRoundTrip(source.url, target.url);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    for (const jobs of [1, 4]) {
      it(`is restored by stowage with --jobs ${jobs}: same schema (owners and grants included) and data`, async () => {
        let target: TestPgDatabase | undefined;
        try {
          target = await expectStowageParity(source.url, { ...theme.run, jobs });
        } finally {
          if (target) made.push(target);
        }
        await theme.check?.(source.url, target.url);
      });
    }

    it('is restored by stowage without owners and grants (compared as pg_dump --no-owner --no-acl)', async () => {
      const restore = { ...theme.run?.restore, owner: false };
      let target: TestPgDatabase | undefined;
      try {
        target = await expectStowageParity(source.url, { ...theme.run, restore, ownership: false, jobs: 2 });
      } finally {
        if (target) made.push(target);
      }
    });

    it('is restored by stowage in a single transaction', async () => {
      const run = { ...theme.run, restore: { ...theme.run?.restore, singleTransaction: true } };
      let target: TestPgDatabase | undefined;
      try {
        target = await expectStowageParity(source.url, { ...run, jobs: 2 });
      } finally {
        if (target) made.push(target);
      }
    });

    it('is restored by stowage with --clean over an earlier restore of itself', async () => {
      const backup = await backupToMemory(source.url, theme.run?.backup ?? {}, 2);
      const target = await createPgDatabase('parity_clean');
      made.push(target);
      const restore = { ...theme.run?.restore, owner: true };
      await restoreFromMemory(target.url, backup, restore, 2);
      await restoreFromMemory(target.url, backup, { ...restore, clean: true }, 2);
      expect(schemaEntries(target.url)).toEqual(schemaEntries(source.url));
      expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
    });
  });
}
