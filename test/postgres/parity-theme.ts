// One parity fixture theme as a test suite: the fixture files load into a
// fresh source database, pg_dump + pg_restore must round-trip them (else the
// fixture itself is wrong), and Stowage must give the same schema entries,
// table checksums and sequence values with one job and with four.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PostgresRestoreOptions } from '../../src/engines/postgres/options.js';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';
import {
  expectStowageParity,
  loadParityFixtures,
  parityFixtures,
  pgRoundTrip,
  schemaEntries,
} from './parity.js';
import { backupToMemory, restoreFromMemory } from './support.js';

export interface ParityTheme {
  /** The source database, once `beforeAll` has loaded it. */
  source(): TestPgDatabase;
}

/**
 * Registers the theme's tests in the enclosing `describe`. Owners and grants
 * are compared; they are restored with today's explicit `owner: true`.
 */
export function parityTheme(
  prefix: string,
  fixtures: string[],
  restore: PostgresRestoreOptions = { owner: true },
): ParityTheme {
  let source: TestPgDatabase | undefined;
  beforeAll(async () => {
    source = await createPgDatabase(`parity_${prefix}`);
    const files = parityFixtures(fixtures);
    expect(files.length).toBe(fixtures.length);
    await loadParityFixtures(source.url, files);
  });
  afterAll(async () => {
    await source?.drop();
  });
  const theme = {
    source(): TestPgDatabase {
      if (!source) throw new Error('the parity source is not loaded');
      return source;
    },
  };

  it('pg_dump + pg_restore round-trip the fixture', async () => {
    const target = await createPgDatabase(`parity_${prefix}_pg`);
    try {
      expect(pgRoundTrip(theme.source().url, target.url)).toEqual({ status: 0, stderr: '' });
    } finally {
      await target.drop();
    }
  });

  it.each([1, 4])('stowage backup + restore give the same schema and data with %i job(s)', async (jobs) => {
    const target = await expectStowageParity(theme.source().url, { jobs, restore });
    await target.drop();
  });

  it('without ownership the schema matches apart from owners and grants', async () => {
    const target = await expectStowageParity(theme.source().url, { jobs: 2, ownership: false });
    await target.drop();
  });

  it('the backup reports nothing left out', async () => {
    const backup = await backupToMemory(theme.source().url, {}, 1);
    expect(backup.result.warnings).toEqual([]);
  });

  it('restore --clean over a restored copy drops and recreates everything', async () => {
    const target = await expectStowageParity(theme.source().url, { jobs: 2, restore });
    try {
      const backup = await backupToMemory(theme.source().url, {}, 2);
      await restoreFromMemory(target.url, backup, { ...restore, clean: true }, 2);
      expect(schemaEntries(target.url)).toEqual(schemaEntries(theme.source().url));
    } finally {
      await target.drop();
    }
  });
  return theme;
}
