// The parity oracle of the PostgreSQL engine: a database that pg_dump +
// pg_restore round-trip must round-trip through Stowage with the same schema
// (as pg_dump --schema-only prints it, compared entry by entry so only the
// order may differ) and the same rows in every table.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PostgresBackupOptions, PostgresRestoreOptions } from '../../src/engines/postgres/options.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgServer } from '../support/servers.js';
import { installParityExtension } from './parity-extension.js';
import { backupToMemory, findPgDump, restoreFromMemory, sequenceValues, tableChecksums } from './support.js';

/** The torture fixture: every object kind pg_dump knows, one file per theme. */
export const PARITY_FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/postgres/parity');

/** Parity fixture file names in load order (all, or those whose name contains one of `only`): by name, a name before its extensions. */
export function parityFixtures(only?: string[]): string[] {
  return readdirSync(PARITY_FIXTURE_DIR)
    .filter((f) => f.endsWith('.sql'))
    .filter((f) => !only || only.some((o) => f.includes(o)))
    .map((f) => f.slice(0, -'.sql'.length))
    .sort() // by name without ".sql", so `10-types.sql` comes before `10-types-used.sql`
    .map((f) => `${f}.sql`);
}

/** Loads parity fixture files into a database, one file per query (each file may hold many statements). */
export async function loadParityFixtures(url: string, files: string[] = parityFixtures()): Promise<void> {
  const scripts = files.map((file) => ({ file, sql: readFileSync(join(PARITY_FIXTURE_DIR, file), 'utf8') }));
  // A fixture that creates the test extension needs it installed on the server first. Left to the
  // parity tests alone, a file loading every fixture passed or failed by which file ran first on a
  // fresh server.
  if (scripts.some(({ sql }) => sql.includes('stowage_parity_config'))) await installParityExtension(url);
  await withPgClient(url, async (client) => {
    for (const { file, sql } of scripts) {
      try {
        await client.query(sql);
      } catch (error) {
        throw new Error(`loading fixture ${file}: ${(error as Error).message}`);
      }
    }
  });
}

function pgBin(tool: 'pg_dump' | 'pg_restore'): string {
  const dump = findPgDump(pgServer().version || '15');
  if (!dump)
    throw new Error('pg_dump is not installed: the parity oracle needs it (Debian: postgresql-client)');
  return tool === 'pg_dump' ? dump : join(dump, '..', 'pg_restore');
}

export interface SchemaDumpOptions {
  /** Leave out `OWNER TO`, `GRANT` and `REVOKE` lines (pg_dump --no-owner --no-acl). */
  ownership?: boolean;
  /** Extra pg_dump arguments, e.g. `--create`. */
  extraArgs?: string[];
}

/**
 * `pg_dump --schema-only` of a database as a sorted list of its TOC entries
 * (each entry: its `-- Name: …; Type: …` header and its statements), without
 * the preamble and the per-run lines, so two databases with the same schema
 * give equal lists whatever order their objects were created in.
 */
export function schemaEntries(url: string, options: SchemaDumpOptions = {}): string[] {
  const args = ['--schema-only', ...(options.ownership === false ? ['--no-owner', '--no-acl'] : [])];
  const out = execFileSync(pgBin('pg_dump'), [...args, ...(options.extraArgs ?? []), `--dbname=${url}`], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const entries: string[] = [];
  let current: string[] | undefined;
  for (const line of out.split('\n')) {
    if (
      /^\\(un)?restrict /.test(line) ||
      /^-- (Dumped (from|by) |PostgreSQL database dump complete)/.test(line)
    )
      continue;
    if (/^-- (Name|Data for Name): /.test(line)) {
      if (current) entries.push(current.join('\n').trim());
      current = [line];
      continue;
    }
    if (!current) continue; // the SET preamble
    if (line === '--') continue;
    current.push(line);
  }
  if (current) entries.push(current.join('\n').trim());
  return entries.sort();
}

/** Runs pg_dump -Fc + pg_restore into `target`; returns pg_restore's exit code and stderr. */
export function pgRoundTrip(
  sourceUrl: string,
  targetUrl: string,
  restoreArgs: string[] = [],
): { status: number; stderr: string } {
  const dump = execFileSync(pgBin('pg_dump'), ['-Fc', `--dbname=${sourceUrl}`], { maxBuffer: 1 << 30 });
  try {
    execFileSync(pgBin('pg_restore'), ['--exit-on-error', ...restoreArgs, `--dbname=${targetUrl}`], {
      input: dump,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return { status: 0, stderr: '' };
  } catch (error) {
    const e = error as { status?: number; stderr?: string };
    return { status: e.status ?? 1, stderr: e.stderr ?? String(error) };
  }
}

/**
 * Expects two sorted entry lists to be equal, failing with only the entries
 * that differ (a whole-list diff of a big schema is truncated to nothing useful).
 */
export function expectSameEntries(actual: string[], expected: string[]): void {
  const missing = multisetMinus(expected, actual);
  const unexpected = multisetMinus(actual, expected);
  expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
}

function multisetMinus(from: string[], minus: string[]): string[] {
  const left = new Map<string, number>();
  for (const e of minus) left.set(e, (left.get(e) ?? 0) + 1);
  return from.filter((e) => {
    const n = left.get(e) ?? 0;
    if (n > 0) left.set(e, n - 1);
    return n === 0;
  });
}

/**
 * Expects `targetUrl` to hold what `sourceUrl` holds: the same pg_dump
 * --schema-only entries (owners and grants too unless `ownership` is false),
 * table checksums, extension configuration table contents and sequence values.
 */
export async function expectSameDatabase(
  targetUrl: string,
  sourceUrl: string,
  ownership = true,
): Promise<void> {
  expectSameEntries(schemaEntries(targetUrl, { ownership }), schemaEntries(sourceUrl, { ownership }));
  expect(await tableChecksums(targetUrl)).toEqual(await tableChecksums(sourceUrl));
  expect(await extensionConfigChecksums(targetUrl)).toEqual(await extensionConfigChecksums(sourceUrl));
  expect(await sequenceValues(targetUrl)).toEqual(await sequenceValues(sourceUrl));
}

/**
 * Checksums of extensions' configuration tables (pg_extension_config_dump):
 * they belong to their extension, so tableChecksums skips them, but pg_dump
 * dumps the rows the user added to them, and so must a restore.
 */
export async function extensionConfigChecksums(url: string): Promise<Record<string, string>> {
  return withPgClient(url, async (client) => {
    await client.query(
      `SET search_path = ''; SET extra_float_digits = 3; SET DateStyle = ISO; SET TimeZone = 'UTC'`,
    );
    const { rows: tables } = await client.query<{ t: string }>(
      `SELECT c.oid::regclass::text AS t FROM pg_extension e, unnest(e.extconfig) AS x(oid)
       JOIN pg_class c ON c.oid = x.oid WHERE c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { t } of tables) {
      const { rows } = await client.query<{ n: string; h: string | null }>(
        `SELECT count(*) AS n, md5(string_agg(h, '' ORDER BY h)) AS h FROM (SELECT md5(x::text) AS h FROM ONLY ${t} x) s`,
      );
      out[t] = `${rows[0]?.n}:${rows[0]?.h ?? '-'}`;
    }
    return out;
  });
}

export interface ParityRun {
  jobs?: number;
  backup?: PostgresBackupOptions;
  restore?: PostgresRestoreOptions;
  /** Compare owners and grants too (default: true). */
  ownership?: boolean;
}

/**
 * Backs `source` up with the engine, restores it into a fresh database and
 * expects the target's schema entries, table checksums and sequence values to
 * equal the source's. Returns the target (the caller drops it).
 */
export async function expectStowageParity(sourceUrl: string, run: ParityRun = {}): Promise<TestPgDatabase> {
  const jobs = run.jobs ?? 2;
  const backup = await backupToMemory(sourceUrl, run.backup ?? {}, jobs);
  const target = await createPgDatabase('parity_target');
  try {
    await restoreFromMemory(target.url, backup, run.restore ?? {}, jobs);
    await expectSameDatabase(target.url, sourceUrl, run.ownership ?? true);
  } catch (error) {
    await target.drop().catch(() => {});
    throw error;
  }
  return target;
}
