// What the version matrix compares: a database's schema and contents as text,
// read with queries every version from 9.6 on answers. Two databases are only
// ever compared on the same server version, so version-dependent deparsing
// (pg_get_viewdef, pg_get_functiondef) never makes equal schemas look different.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { withPgClient } from '../support/pg.js';
import { majorOrder } from '../support/pg-versions.js';

export const VERSION_FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/postgres/versions');

/** One fixture file: `base.sql` (every version) or `NN-what.sql` (PostgreSQL NN or newer). */
export interface VersionFixture {
  file: string;
  /** Oldest major that can hold it. */
  minMajor: string;
  /** What it adds, from the file name (`identity`, `nulls-not-distinct`). */
  feature: string;
}

export function versionFixtures(): VersionFixture[] {
  return readdirSync(VERSION_FIXTURE_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = /^(\d+(?:\.\d+)?)-(.+)\.sql$/.exec(file);
      return { file, minMajor: m?.[1] ?? '9.6', feature: m?.[2] ?? 'base' };
    })
    .sort((a, b) => majorOrder(a.minMajor) - majorOrder(b.minMajor) || a.file.localeCompare(b.file));
}

/** The fixtures a server of `major` can hold. */
export function fixturesFor(major: string): VersionFixture[] {
  return versionFixtures().filter((f) => majorOrder(f.minMajor) <= majorOrder(major));
}

export async function loadVersionFixtures(url: string, fixtures: VersionFixture[]): Promise<void> {
  await withPgClient(url, async (client) => {
    for (const f of fixtures) await client.query(readFileSync(join(VERSION_FIXTURE_DIR, f.file), 'utf8'));
    // Table parts are planned from the statistics.
    await client.query('ANALYZE');
  });
}

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'`;

async function lines(client: pg.Client, sql: string): Promise<string[]> {
  return (await client.query<{ l: string }>(sql)).rows.map((r) => r.l);
}

/** Schema and contents of a database as sorted lines, for comparison with another database on the same server. */
export async function databaseImage(url: string): Promise<string[]> {
  return withPgClient(url, async (client) => {
    await client.query(
      `SET search_path = ''; SET extra_float_digits = 3; SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'`,
    );
    const num = Number(
      (await client.query<{ n: string }>(`SELECT current_setting('server_version_num') AS n`)).rows[0]?.n,
    );
    const isAggregate = num >= 110000 ? `p.prokind = 'a'` : 'p.proisagg';
    const identity = num >= 100000 ? `|| ' identity=' || a.attidentity::text` : '';
    const generated = num >= 120000 ? `|| ' generated=' || a.attgenerated::text` : '';
    const out: string[] = [];
    out.push(
      ...(await lines(client, `SELECT 'schema ' || n.nspname AS l FROM pg_namespace n WHERE ${USER_NS}`)),
      ...(await lines(
        client,
        `SELECT 'relation ' || c.oid::regclass || ' kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text
           || ' options=' || coalesce(c.reloptions::text, '-') || ' populated=' || c.relispopulated
           || ' inherits=' || coalesce((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = c.oid), '-') AS l
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c', 'i', 'I', 'f')`,
      )),
      ...(await lines(
        client,
        `SELECT 'column ' || c.oid::regclass || '.' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
           ${identity} ${generated} AS l
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE ${USER_NS} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'c', 'f')`,
      )),
      ...(await lines(
        client,
        `SELECT 'constraint ' || coalesce(nullif(co.conrelid, 0)::regclass::text, co.contypid::regtype::text) || ' '
           || co.conname || ' ' || pg_get_constraintdef(co.oid) AS l
         FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'index ' || pg_get_indexdef(i.indexrelid) AS l
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
        `SELECT 'view ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid) AS l FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND c.relkind IN ('v', 'm')`,
      )),
      ...(await lines(
        client,
        `SELECT 'routine ' || p.oid::regprocedure || ' ' || CASE WHEN ${isAggregate} THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END AS l
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_NS}`,
      )),
      ...(await lines(
        client,
        `SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text || ' notnull=' || t.typnotnull
           || ' labels=' || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '-') AS l
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${USER_NS} AND t.typtype <> 'b'`,
      )),
      ...(await lines(
        client,
        `SELECT 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' = ' || d.description AS l
         FROM pg_description d WHERE d.objoid >= 16384`,
      )),
      ...(await lines(
        client,
        `SELECT 'large object ' || m.oid || ' ' || md5(lo_get(m.oid)) AS l FROM pg_largeobject_metadata m`,
      )),
    );
    const tables = await lines(
      client,
      `SELECT c.oid::regclass::text AS l FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${USER_NS} AND c.relkind IN ('r', 'm') AND c.relispopulated`,
    );
    for (const table of tables) {
      const { rows } = await client.query<{ n: string; h: string | null }>(
        `SELECT count(*) AS n, md5(string_agg(h, '' ORDER BY h)) AS h FROM (SELECT md5(t::text) AS h FROM ONLY ${table} t) s`,
      );
      out.push(`data ${table} ${rows[0]?.n}:${rows[0]?.h ?? '-'}`);
    }
    const sequences = await lines(
      client,
      `SELECT c.oid::regclass::text AS l FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${USER_NS} AND c.relkind = 'S'`,
    );
    for (const s of sequences) {
      const { rows } = await client.query<{ v: string; c: boolean }>(
        `SELECT last_value::text AS v, is_called AS c FROM ${s}`,
      );
      out.push(`sequence value ${s} ${rows[0]?.v}/${rows[0]?.c}`);
    }
    return out.sort();
  });
}

/** Creates a database on `serverUrl` and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await withPgClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
