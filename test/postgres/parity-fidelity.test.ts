// Fidelity items of the parity work (issue 10): details that a restore used to
// lose or change silently. Each fixture is proven pg_dump + pg_restore-able and
// then must round-trip through Stowage with the parity oracle, owners and
// grants included (restore option `owner: true`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backup as libraryBackup } from '../../src/index.js';
import { runCli } from '../cli/run-cli.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import {
  expectStowageParity,
  loadParityFixtures,
  parityFixtures,
  pgRoundTrip,
  schemaEntries,
} from './parity.js';
import { installParityExtension } from './parity-extension.js';
import { backupToMemory, restoreFromMemory, sequenceValues, tableChecksums } from './support.js';

const created: TestPgDatabase[] = [];
afterAll(async () => {
  await Promise.all(created.map((d) => d.drop().catch(() => {})));
});

async function database(prefix: string): Promise<TestPgDatabase> {
  const db = await createPgDatabase(prefix);
  created.push(db);
  return db;
}

/** A source database holding the base schemas (00) and the given fixture file. */
async function sourceWith(file: string): Promise<TestPgDatabase> {
  const source = await database('parity_fid_src');
  await loadParityFixtures(source.url, parityFixtures(['00-', file]));
  return source;
}

async function expectParity(source: TestPgDatabase): Promise<void> {
  const native = await database('parity_fid_native');
  const { status, stderr } = pgRoundTrip(source.url, native.url);
  expect(stderr).toBe('');
  expect(status).toBe(0);
  expect(schemaEntries(native.url)).toEqual(schemaEntries(source.url));
  for (const jobs of [1, 4]) {
    const target = await expectStowageParity(source.url, { jobs, restore: { owner: true } });
    await target.drop();
  }
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  return withPgClient(url, async (c) => (await c.query(sql)).rows as T[]);
}

describe('postgres parity: fidelity', { timeout: 180_000 }, () => {
  it('carries the rows users added to an extension configuration table, and its sequence value', async () => {
    // Installs the fixture's tiny extension into the server's extension directory when missing (see parity-extension.ts).
    await installParityExtension(pgUrl());
    const source = await sourceWith('06-');
    await expectParity(source);
    // --clean over a copy replaces the user's rows and keeps the extension's own.
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await database('parity_fid_ext_clean');
    await restoreFromMemory(target.url, backup, {}, 2);
    await restoreFromMemory(target.url, backup, { clean: true }, 2);
    const settings = 'SELECT * FROM stowage_parity_ext.settings ORDER BY key';
    expect(await query(target.url, settings)).toEqual(await query(source.url, settings));
    expect(await query(target.url, settings)).toHaveLength(3);
    // So does a data-only --clean, which must not empty the extension's own rows.
    await restoreFromMemory(target.url, backup, { dataOnly: true, clean: true }, 2);
    expect(await query(target.url, settings)).toEqual(await query(source.url, settings));
  });

  it('keeps a partition column order that differs from its parent', async () => {
    const source = await sourceWith('50-');
    await expectParity(source);
  });

  it('keeps the persistence (LOGGED / UNLOGGED) of identity sequences', async () => {
    const source = await sourceWith('51-');
    await expectParity(source);
    const target = await expectStowageParity(source.url, { jobs: 1, restore: { owner: true } });
    const persistence = `SELECT relname, relpersistence FROM pg_class WHERE relkind = 'S' AND relnamespace = '"Sales"'::regnamespace ORDER BY 1`;
    const restored = await query<{ relname: string; relpersistence: string }>(target.url, persistence);
    expect(restored).toEqual(await query(source.url, persistence));
    expect(restored.map((r) => r.relpersistence)).toEqual(['u', 'u', 'p']);
    await target.drop();
  });

  it('keeps per-table and per-partition trigger enable states', async () => {
    const source = await sourceWith('52-');
    await expectParity(source);
  });

  it('keeps partitioned unique indexes as valid or invalid as in the source (unattached index; key attached to a plain index)', async () => {
    const source = await sourceWith('53-');
    await expectParity(source);
    const target = await expectStowageParity(source.url, { jobs: 4, restore: { owner: true } });
    const validity = `SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relnamespace = '"Half Indexed"'::regnamespace ORDER BY 1`;
    const restored = await query(target.url, validity);
    expect(restored).toEqual(await query(source.url, validity));
    expect(restored).toContainEqual({ relname: 'Accounts Unique', indisvalid: false });
    expect(restored).toContainEqual({ relname: 'Mixed Keys Unique', indisvalid: true });
    await target.drop();
  });

  it('keeps materialized view column settings', async () => {
    const source = await sourceWith('54-');
    await expectParity(source);
  });

  it('a single-table restore brings the unowned sequence its default uses', async () => {
    const source = await sourceWith('55-');
    await expectParity(source);
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await database('parity_fid_one_table');
    const result = await restoreFromMemory(target.url, backup, { includeTables: ['"Free Seq".invoices'] }, 2);
    const defaults = `SELECT pg_get_expr(d.adbin, d.adrelid) AS def FROM pg_attrdef d WHERE d.adrelid = '"Free Seq".invoices'::regclass`;
    expect(await query(target.url, defaults)).toEqual(await query(source.url, defaults));
    expect(await sequenceValues(target.url)).toEqual(await sequenceValues(source.url));
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
    expect(result.warnings.join('\n')).toContain('"Free Seq"."Invoice Numbers"');
    // The default still works: the next invoice takes the sequence's next number.
    const next = await query<{ no: string }>(
      target.url,
      `INSERT INTO "Free Seq".invoices (amount) VALUES (4) RETURNING no`,
    );
    expect(next).toEqual([{ no: '503' }]);

    // The CLI prints the same warning.
    const dir = await mkdtemp(join(tmpdir(), 'stowage-parity-seq-'));
    try {
      const file = join(dir, 'free-seq.stow');
      await libraryBackup({ source: source.url, to: file, preflight: false });
      const cliTarget = await database('parity_fid_one_table_cli');
      const run = await runCli(['restore', file, cliTarget.url, '--table', '"Free Seq".invoices', '--yes']);
      expect(run.stderr + run.stdout).toContain(
        'warning: sequence "Free Seq"."Invoice Numbers" restored too, though not selected',
      );
      expect(run.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
