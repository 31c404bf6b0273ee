// Helpers for PostgreSQL engine tests: fixtures, and the oracles that prove a
// restored database equals its source (catalog contents, pg_dump --schema-only
// output, per-table checksums over ordered rows).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { EngineBackupResult, EngineRestoreResult } from '../../src/engines/engine.js';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import type { PgObject } from '../../src/engines/postgres/model.js';
import type { PostgresBackupOptions, PostgresRestoreOptions } from '../../src/engines/postgres/options.js';
import type { ProgressEvent } from '../../src/progress.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { pgUrlFor, withPgClient } from '../support/pg.js';

export const FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/postgres');

/** Loads fixture files (all of them, in name order, or those named) into a database. */
export async function loadFixtures(url: string, only?: string[]): Promise<void> {
  const files = readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.sql'))
    .filter((f) => !only || only.some((o) => f.includes(o)))
    .sort();
  await withPgClient(url, async (client) => {
    for (const file of files) await client.query(readFileSync(join(FIXTURE_DIR, file), 'utf8'));
  });
}

/** Backs up into memory. */
export async function backupToMemory(
  url: string,
  options: PostgresBackupOptions = {},
  jobs = 2,
  events: ProgressEvent[] = [],
): Promise<{ streams: MemoryStreams; result: EngineBackupResult }> {
  const streams = new MemoryStreams();
  const result = await postgresEngine.backup({
    url,
    streams,
    jobs,
    options,
    progress: (e) => events.push(e),
  });
  return { streams, result };
}

/** Restores what {@link backupToMemory} produced. */
export async function restoreFromMemory(
  url: string,
  backup: { streams: MemoryStreams; result: EngineBackupResult },
  options: PostgresRestoreOptions = {},
  jobs = 2,
  events: ProgressEvent[] = [],
): Promise<EngineRestoreResult> {
  return postgresEngine.restore({
    url,
    streams: backup.streams.reader(),
    schema: backup.result.schema,
    jobs,
    options,
    progress: (e) => events.push(e),
  });
}

async function lines(client: pg.Client, sql: string): Promise<string[]> {
  return (await client.query<{ l: string }>(sql)).rows.map((r) => r.l);
}

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'`;

/**
 * The user-visible catalog as sorted text lines: relations with their columns,
 * constraints, indexes, triggers, policies, rules, routines, types, sequences,
 * comments and (optionally) owners and privileges. Two databases with equal
 * lines have the same schema. Written independently of the engine's catalog
 * readers.
 */
export async function catalogSnapshot(url: string, withOwnership = false): Promise<string[]> {
  return withPgClient(url, async (client) => {
    await client.query(`SET search_path = ''`);
    const own = (expr: string) => (withOwnership ? `|| ' owner=' || pg_get_userbyid(${expr})` : '');
    const acl = (expr: string) => (withOwnership ? `|| ' acl=' || coalesce(${expr}::text, '-')` : '');
    const out: string[] = [];
    out.push(
      ...(await lines(
        client,
        `SELECT 'schema ' || n.nspname ${own('n.nspowner')} ${acl('n.nspacl')} AS l FROM pg_namespace n WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'extension ' || extname || ' ' || extnamespace::regnamespace AS l FROM pg_extension`,
      )),
      ...(await lines(
        client,
        `SELECT 'relation ' || c.oid::regclass || ' kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text
           || ' options=' || coalesce(c.reloptions::text, '-') || ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity
           || ' replident=' || c.relreplident::text || ' partbound=' || coalesce(pg_get_expr(c.relpartbound, c.oid), '-')
           || ' partkey=' || coalesce(pg_get_partkeydef(c.oid), '-')
           || ' inherits=' || coalesce((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = c.oid), '-')
           || ' populated=' || c.relispopulated
           ${own('c.relowner')} ${acl('c.relacl')} AS l
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c', 'i', 'I')
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')`,
      )),
      ...(await lines(
        client,
        `SELECT 'column ' || c.oid::regclass || '.' || quote_ident(a.attname) || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
           || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text || ' collation=' || a.attcollation::regcollation
           || ' storage=' || a.attstorage::text || ' stats=' || coalesce(a.attstattarget::text, '-') || ' options=' || coalesce(a.attoptions::text, '-')
           || ' local=' || a.attislocal || ' inh=' || a.attinhcount
           ${acl('a.attacl')} AS l
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE ${USER_NS} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'c')
           AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')`,
      )),
      ...(await lines(
        client,
        `SELECT 'constraint ' || coalesce(co.conrelid::regclass::text, co.contypid::regtype::text) || ' ' || quote_ident(co.conname)
           || ' ' || pg_get_constraintdef(co.oid) || ' local=' || co.conislocal || ' inh=' || co.coninhcount AS l
         FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'index ' || pg_get_indexdef(i.indexrelid) || ' clustered=' || i.indisclustered || ' valid=' || i.indisvalid
           || ' replident=' || i.indisreplident
           || ' parent=' || coalesce((SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = i.indexrelid), '-') AS l
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text AS l
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE ${USER_NS} AND NOT t.tgisinternal`,
      )),
      ...(await lines(
        client,
        `SELECT 'policy ' || p.polrelid::regclass || ' ' || p.polname || ' ' || p.polcmd::text || ' ' || p.polpermissive || ' '
           || p.polroles::regrole[]::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '-') || ' '
           || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-') AS l FROM pg_policy p`,
      )),
      ...(await lines(
        client,
        `SELECT 'rule ' || pg_get_ruledef(r.oid) || ' ' || r.ev_enabled::text AS l FROM pg_rewrite r
         JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'view ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid) AS l FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND c.relkind IN ('v', 'm')`,
      )),
      ...(await lines(
        client,
        `SELECT 'routine ' || p.oid::regprocedure || ' ' || CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
           ${own('p.proowner')} ${acl('p.proacl')} AS l
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE ${USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
      )),
      ...(await lines(
        client,
        `SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text || ' ' || coalesce(pg_get_expr(t.typdefaultbin, 0), '-')
           || ' notnull=' || t.typnotnull || ' base=' || t.typbasetype::regtype
           || ' labels=' || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '-')
           ${own('t.typowner')} ${acl('t.typacl')} AS l
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE ${USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid IN (t.oid, t.typelem) AND d.deptype = 'e')`,
      )),
      ...(await lines(
        client,
        `SELECT 'sequence ' || s.seqrelid::regclass || ' ' || format_type(s.seqtypid, NULL) || ' ' || s.seqstart || ' '
           || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcache || ' ' || s.seqcycle AS l FROM pg_sequence s`,
      )),
      ...(await lines(
        client,
        `SELECT 'collation ' || c.oid::regcollation || ' ' || c.collprovider::text || ' ' || c.collisdeterministic AS l
         FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'statistics ' || pg_get_statisticsobjdef(s.oid) AS l FROM pg_statistic_ext s
         JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' = ' || d.description AS l
         FROM pg_description d WHERE d.objoid >= 16384
           AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = d.objoid AND e.deptype = 'e')`,
      )),
    );
    return out.sort();
  });
}

/**
 * One checksum per user table, over its rows in a fixed order (sorted by their
 * text form), plus the row count. Equal maps mean equal data.
 */
export async function tableChecksums(url: string): Promise<Record<string, string>> {
  return withPgClient(url, async (client) => {
    await client.query(
      `SET search_path = ''; SET extra_float_digits = 3; SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'`,
    );
    const tables = await lines(
      client,
      `SELECT c.oid::regclass::text AS l FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${USER_NS} AND c.relkind IN ('r', 'm') AND c.relispopulated
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')`,
    );
    const out: Record<string, string> = {};
    for (const table of tables.sort()) {
      const { rows } = await client.query<{ n: string; h: string | null }>(
        `SELECT count(*) AS n, md5(string_agg(h, '' ORDER BY h)) AS h FROM (SELECT md5(t::text) AS h FROM ONLY ${table} t) s`,
      );
      out[table] = `${rows[0]?.n}:${rows[0]?.h ?? '-'}`;
    }
    return out;
  });
}

/** Current value and is_called of every sequence. */
export async function sequenceValues(url: string): Promise<Record<string, string>> {
  return withPgClient(url, async (client) => {
    const seqs = await lines(
      client,
      `SELECT c.oid::regclass::text AS l FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND ${USER_NS}`,
    );
    const out: Record<string, string> = {};
    for (const s of seqs) {
      const { rows } = await client.query<{ v: string; c: boolean }>(
        `SELECT last_value::text AS v, is_called AS c FROM ${s}`,
      );
      out[s] = `${rows[0]?.v}/${rows[0]?.c}`;
    }
    return out;
  });
}

/** `pg_dump` of the server's major version, when installed (used as an oracle only). */
export function findPgDump(serverVersion: string): string | undefined {
  const major = /^PostgreSQL (\d+)/.exec(serverVersion)?.[1] ?? /^(\d+)/.exec(serverVersion)?.[1];
  const candidates = [
    ...(major ? [`/usr/lib/postgresql/${major}/bin/pg_dump`] : []),
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort()
          .reverse()
          .map((v) => `/usr/lib/postgresql/${v}/bin/pg_dump`)
      : []),
  ];
  return candidates.find((c) => existsSync(c));
}

/** `pg_dump --schema-only` output without the per-run \restrict key lines. */
export function pgDumpSchema(pgDump: string, url: string, extraArgs: string[] = []): string {
  const out = execFileSync(pgDump, ['--schema-only', ...extraArgs, `--dbname=${url}`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return out
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l))
    .join('\n');
}

/**
 * Names of databases a test's restores create (`--create`), each dropped by {@link dropAll}
 * after the tests whatever happened to them.
 */
export class DatabasesToCreate {
  private readonly names: string[] = [];

  /** A fresh database name starting with `prefix`, and its URL. */
  next(prefix: string): { name: string; url: string } {
    const name = `${prefix}_${Date.now().toString(36)}_${this.names.length}`;
    this.names.push(name);
    return { name, url: pgUrlFor(name) };
  }

  /** A database the test made some other way, dropped with the others. */
  add(name: string): void {
    this.names.push(name);
  }

  async dropAll(): Promise<void> {
    await withPgClient(pgUrlFor('postgres'), async (c) => {
      for (const name of this.names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  }
}

/**
 * Makes CREATE DATABASE of `name` wait: another session renames a database of its own (made here,
 * dropped with `databases`) to that name in a transaction it keeps open, so the new pg_database row's
 * unique index entry waits for that transaction (the name is not visible to a restore's lookup, which
 * finds the target absent). Only this name waits, unlike a lock on pg_database, which would stop every
 * connection. `release` rolls the rename back; `commit` keeps it, and the waiting CREATE DATABASE
 * then fails as it does when another session created the database at the same moment (23505).
 */
export async function holdName(
  name: string,
  databases: DatabasesToCreate,
): Promise<{ release(): Promise<void>; commit(): Promise<void> }> {
  const holder = `${name}_holder`;
  databases.add(holder);
  await withPgClient(pgUrlFor('postgres'), (c) => c.query(`CREATE DATABASE ${holder}`));
  const client = new pg.Client({ connectionString: pgUrlFor('postgres') });
  await client.connect();
  await client.query(`BEGIN; ALTER DATABASE ${holder} RENAME TO ${name}`);
  const end = async (statement: string) => {
    await client.query(statement);
    await client.end();
  };
  return { release: () => end('ROLLBACK'), commit: () => end('COMMIT') };
}

/**
 * Resolves once a statement starting with `verb` (`CREATE DATABASE`) and naming `name` runs on the
 * server; with `onLock`, once it waits on a lock.
 */
export async function statementRunning(verb: string, name: string, onLock = false): Promise<void> {
  for (;;) {
    const running = await withPgClient(
      pgUrlFor('postgres'),
      async (c) =>
        (
          await c.query(
            `SELECT 1 FROM pg_stat_activity WHERE query LIKE $1 || '%' AND query LIKE '%' || $2 || '%'
               AND ${onLock ? `wait_event_type = 'Lock'` : `state = 'active'`}`,
            [verb, name],
          )
        ).rowCount,
    );
    if (running) return;
    await sleep(50);
  }
}

/** Whether the server has a database named `name`. */
export const databaseExists = (name: string): Promise<boolean> =>
  withPgClient(
    pgUrlFor('postgres'),
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );

/**
 * An extension no server can install (none has that name), for tests of the refusal a restore
 * gives before it writes: put it at the front of an archived schema's objects.
 */
export function missingExtension(): PgObject {
  return {
    id: 'extension:stowage_no_such_extension',
    kind: 'extension',
    section: 'pre-data',
    schema: 'public',
    name: 'stowage_no_such_extension',
    sql: ['CREATE EXTENSION IF NOT EXISTS stowage_no_such_extension WITH SCHEMA public'],
    deps: [],
  };
}
