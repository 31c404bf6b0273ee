// One parity fixture theme as a test suite: the fixture files load into a
// fresh source database, pg_dump + pg_restore must round-trip them (else the
// fixture itself is wrong), and Stowage must give the same schema entries,
// table checksums and sequence values: with one job and with four, without
// owners and grants, in a single transaction, and with --clean over an
// earlier restore of itself.
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

export interface ParityThemeOptions {
  /** Engine options for every Stowage run. */
  run?: Omit<ParityRun, 'jobs'>;
  /** Extra checks on the source and a Stowage-restored target. */
  check?: (source: string, target: string) => Promise<void>;
}

export interface ParityTheme {
  /** The source database, once `beforeAll` has loaded it. */
  source(): TestPgDatabase;
}

/** Registers the theme's tests in the enclosing `describe`; `fixtures` are file name parts (`30-`). */
export function parityTheme(
  prefix: string,
  fixtures: string[],
  options: ParityThemeOptions = {},
): ParityTheme {
  const run = { ...options.run, restore: { ...options.run?.restore } };
  let source: TestPgDatabase | undefined;
  const made: TestPgDatabase[] = [];
  const theme: ParityTheme = {
    source() {
      if (!source) throw new Error('the parity source is not loaded');
      return source;
    },
  };
  /** Runs a parity check and keeps the target for cleanup, whatever happens. */
  const parity = async (extra: ParityRun) => {
    const target = await expectStowageParity(theme.source().url, { ...run, ...extra });
    made.push(target);
    return target;
  };

  beforeAll(async () => {
    source = await createPgDatabase(`parity_${prefix}`);
    made.push(source);
    const files = parityFixtures(fixtures);
    expect(files.length).toBeGreaterThanOrEqual(fixtures.length);
    await loadParityFixtures(source.url, files);
  });
  afterAll(async () => {
    await Promise.all(made.map((db) => db.drop()));
  });

  it('is restored by pg_dump + pg_restore (the fixture is fair)', async () => {
    const target = await createPgDatabase(`parity_${prefix}_pg`);
    made.push(target);
    expect(pgRoundTrip(theme.source().url, target.url)).toEqual({ status: 0, stderr: '' });
  });

  it('is backed up with nothing reported left out', async () => {
    const backup = await backupToMemory(theme.source().url, run.backup ?? {}, 1);
    expect(backup.result.warnings).toEqual([]);
  });

  it.each([1, 4])(
    'is restored by stowage with --jobs %i: same schema (owners and grants included) and data',
    async (jobs) => {
      const target = await parity({ jobs });
      await options.check?.(theme.source().url, target.url);
    },
  );

  it('is restored by stowage without owners and grants (compared as pg_dump --no-owner --no-acl)', async () => {
    await parity({ jobs: 2, restore: { ...run.restore, owner: false, acl: false }, ownership: false });
  });

  it('is restored by stowage in a single transaction', async () => {
    await parity({ jobs: 2, restore: { ...run.restore, singleTransaction: true } });
  });

  it('is restored by stowage with --clean over an earlier restore of itself', async () => {
    const backup = await backupToMemory(theme.source().url, run.backup ?? {}, 2);
    const target = await createPgDatabase(`parity_${prefix}_clean`);
    made.push(target);
    await restoreFromMemory(target.url, backup, run.restore, 2);
    await restoreFromMemory(target.url, backup, { ...run.restore, clean: true }, 2);
    expect(schemaEntries(target.url)).toEqual(schemaEntries(theme.source().url));
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(theme.source().url));
  });
  return theme;
}

/** A `describe` block holding one parity theme. */
export function describeParityTheme(title: string, theme: ParityThemeOptions & { fixtures: string[] }): void {
  describe(`parity: ${title}`, () => {
    parityTheme(title.replace(/[^a-z0-9]+/gi, '_').slice(0, 20), theme.fixtures, theme);
  });
}
