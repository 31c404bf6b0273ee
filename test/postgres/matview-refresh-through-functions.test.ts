// A materialized view whose query calls a function that calls another whose
// SQL-standard body reads a second materialized view: its refresh must wait
// for that one's, whatever the names and the job count. pg_dump 15 orders
// refreshes through plain views only, so pg_restore fails on this database
// ("materialized view … has not been populated"): it cannot be a parity
// fixture, and Stowage does better.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { expectSameDatabase } from './parity.js';
import { backupToMemory, restoreFromMemory } from './support.js';

// Names sort in the wrong refresh order.
const SQL = `
CREATE SCHEMA "MV Fn";
CREATE TABLE "MV Fn".facts (id integer PRIMARY KEY, v integer);
INSERT INTO "MV Fn".facts SELECT g, g % 4 FROM generate_series(1, 12) g;
CREATE MATERIALIZED VIEW "MV Fn"."Z Base" AS SELECT v, count(*) AS n FROM "MV Fn".facts GROUP BY v;
CREATE FUNCTION "MV Fn".base_total() RETURNS bigint LANGUAGE sql STABLE
  BEGIN ATOMIC SELECT sum(n) FROM "MV Fn"."Z Base"; END;
CREATE FUNCTION "MV Fn".ratio(n bigint) RETURNS numeric LANGUAGE sql STABLE
  RETURN round(n::numeric / "MV Fn".base_total(), 4);
CREATE MATERIALIZED VIEW "MV Fn"."A Ratios" AS
  SELECT v, "MV Fn".ratio(count(*)) AS r FROM "MV Fn".facts GROUP BY v;
CREATE VIEW "MV Fn"."M Middle" AS SELECT "MV Fn".ratio(2) AS r;
CREATE MATERIALIZED VIEW "MV Fn"."B Through View" AS SELECT r FROM "MV Fn"."M Middle";`;

describe('materialized view refreshes ordered through functions', () => {
  let source: TestPgDatabase;
  let backup: Awaited<ReturnType<typeof backupToMemory>>;
  const made: TestPgDatabase[] = [];

  beforeAll(async () => {
    source = await createPgDatabase('mv_fn_src');
    made.push(source);
    await withPgClient(source.url, (c) => c.query(SQL));
    backup = await backupToMemory(source.url, {}, 1);
  });
  afterAll(async () => {
    await Promise.all(made.map((d) => d.drop().catch(() => {})));
  });

  it('records that each refresh waits for the materialized view its functions read', () => {
    const objects = (backup.result.schema as PostgresSchema).objects;
    const deps = (name: string) => objects.find((o) => o.id === `refresh:MV Fn.${name}`)?.deps;
    expect(deps('A Ratios')).toContain('refresh:MV Fn.Z Base');
    expect(deps('B Through View')).toContain('refresh:MV Fn.Z Base');
  });

  it.each([1, 4])(
    'restores with --jobs %i: same schema, rows and materialized view contents',
    async (jobs) => {
      const target = await createPgDatabase('mv_fn_target');
      made.push(target);
      await restoreFromMemory(target.url, backup, {}, jobs);
      await expectSameDatabase(target.url, source.url);
      const contents = (url: string) =>
        withPgClient(url, async (c) => {
          const { rows } = await c.query(
            `SELECT (SELECT json_agg(a ORDER BY v) FROM "MV Fn"."A Ratios" a) AS a,
             (SELECT json_agg(b) FROM "MV Fn"."B Through View" b) AS b`,
          );
          return rows;
        });
      expect(await contents(target.url)).toEqual(await contents(source.url));
    },
  );
});
