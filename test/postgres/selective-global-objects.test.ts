// A backup of named schemas or tables leaves database-wide objects out, as
// pg_dump -n/-t does, but keeps the foreign servers its foreign tables need.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory, restoreFromMemory } from './support.js';

const made: TestPgDatabase[] = [];
let source: TestPgDatabase;

beforeAll(async () => {
  source = await createPgDatabase('pg_selective_src');
  made.push(source);
  await withPgClient(source.url, (c) =>
    c.query(`
      CREATE SCHEMA a; CREATE SCHEMA b;
      CREATE FOREIGN DATA WRAPPER used_wrapper; CREATE FOREIGN DATA WRAPPER other_wrapper;
      CREATE SERVER used FOREIGN DATA WRAPPER used_wrapper;
      CREATE SERVER unused FOREIGN DATA WRAPPER other_wrapper;
      CREATE USER MAPPING FOR PUBLIC SERVER used OPTIONS (who 'anyone');
      CREATE USER MAPPING FOR PUBLIC SERVER unused;
      CREATE FOREIGN TABLE a.remote (x int) SERVER used;
      CREATE TABLE a.local (x int); INSERT INTO a.local VALUES (1);
      CREATE TABLE b.other (x int);
      CREATE PUBLICATION pub FOR TABLE a.local, b.other;
      CREATE FUNCTION b.noop() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
      CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION b.noop();
      ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
      ALTER DEFAULT PRIVILEGES IN SCHEMA a GRANT SELECT ON SEQUENCES TO PUBLIC;
      ALTER DEFAULT PRIVILEGES IN SCHEMA b GRANT SELECT ON SEQUENCES TO PUBLIC;`),
  );
});

afterAll(async () => {
  await Promise.all(made.map((d) => d.drop()));
});

/** The role the tests connect as (it owns the default privilege settings). */
const user = () => decodeURIComponent(new URL(source.url).username);

const ids = (schema: unknown) =>
  (schema as { objects: { id: string; kind: string }[] }).objects
    .filter((o) => !['schema', 'table', 'default'].includes(o.kind))
    .map((o) => o.id)
    .sort();

it('a whole-database backup takes every database-wide object', async () => {
  const { result } = await backupToMemory(source.url, {}, 1);
  expect(ids(result.schema)).toEqual([
    `default-privileges:${user()}::r`,
    `default-privileges:${user()}:a:S`,
    `default-privileges:${user()}:b:S`,
    'event-trigger:et',
    'foreign-data-wrapper:other_wrapper',
    'foreign-data-wrapper:used_wrapper',
    'foreign-server:unused',
    'foreign-server:used',
    'function:b.noop()',
    'publication-table:pub:a.local',
    'publication-table:pub:b.other',
    'publication:pub',
    // A foreign table is a relation: its id is a table's (references and parents name relations so).
    'table:a.remote',
    'user-mapping:unused:PUBLIC',
    'user-mapping:used:PUBLIC',
  ]);
});

it('a backup of one schema takes only what that schema needs, and restores', async () => {
  const backup = await backupToMemory(source.url, { includeSchemas: ['a'] }, 1);
  expect(ids(backup.result.schema)).toEqual([
    `default-privileges:${user()}:a:S`,
    'foreign-data-wrapper:used_wrapper',
    'foreign-server:used',
    'table:a.remote',
    'user-mapping:used:PUBLIC',
  ]);
  const target = await createPgDatabase('pg_selective_dst');
  made.push(target);
  await restoreFromMemory(target.url, backup, { owner: true }, 1);
  const servers = await withPgClient(target.url, async (c) =>
    (await c.query<{ s: string }>('SELECT srvname AS s FROM pg_foreign_server')).rows.map((r) => r.s),
  );
  expect(servers).toEqual(['used']);
});

it('a restore of one schema from a whole-database backup leaves the database-wide default privileges out', async () => {
  const backup = await backupToMemory(source.url, {}, 1);
  const target = await createPgDatabase('pg_selective_dst');
  made.push(target);
  await restoreFromMemory(target.url, backup, { includeSchemas: ['a'] }, 1);
  const defaults = await withPgClient(target.url, async (c) =>
    (
      await c.query<{ d: string }>(
        `SELECT coalesce(n.nspname, '*') || ':' || d.defaclobjtype::text AS d
           FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1`,
      )
    ).rows.map((r) => r.d),
  );
  expect(defaults).toEqual(['a:S']);
});
