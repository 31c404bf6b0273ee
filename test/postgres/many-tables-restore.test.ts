// Restore of many small tables (issue 14): their loads share transactions, so
// their indexes and constraints become ready together and share queries too;
// owners the restoring role already has are not set again.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import { backupToMemory, catalogSnapshot, restoreFromMemory, tableChecksums } from './support.js';

const TABLES = 40;
/** Owns one table of the source, so its owner must still be set. */
const OTHER = `stowage_manyr_owner_${process.pid}`;

describe('postgres restore of many small tables', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];

  beforeAll(async () => {
    source = await createPgDatabase('pg_manyr_src');
    // A tree of tables, as in the bench: a primary key, an index and a foreign key to an earlier table each.
    await withPgClient(source.url, (c) =>
      c.query(`DO $$ BEGIN
        FOR i IN 1..${TABLES} LOOP
          EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, parent_id int, label text)', 't' || i);
          EXECUTE format('INSERT INTO %I SELECT g, CASE WHEN %s > 1 THEN 1 + g %% 5 END, md5(g::text) FROM generate_series(1, 20) g', 't' || i, i);
          EXECUTE format('CREATE INDEX %I ON %I (label)', 't' || i || '_label', 't' || i);
          IF i > 1 THEN
            EXECUTE format('ALTER TABLE %I ADD FOREIGN KEY (parent_id) REFERENCES %I', 't' || i, 't' || (i / 2));
          END IF;
        END LOOP;
      END $$`),
    );
    await withPgClient(pgUrl(), (c) =>
      c.query(`DO $$ BEGIN CREATE ROLE ${OTHER} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`),
    );
    await withPgClient(source.url, (c) =>
      c.query(`CREATE TABLE public.theirs (id int); ALTER TABLE public.theirs OWNER TO ${OTHER}`),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
    await withPgClient(pgUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${OTHER}`));
  });

  it('loads small tables several to a transaction and builds their indexes and keys several to a query', async () => {
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await createPgDatabase('pg_manyr_dst');
    created.push(target);
    await restoreFromMemory(target.url, backup, {}, 2);
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
    expect(await catalogSnapshot(target.url)).toEqual(await catalogSnapshot(source.url));

    await withPgClient(target.url, async (c) => {
      // Rows written by one transaction share its xmin: one transaction per table before.
      const loads = await c.query<{ n: number }>(
        `SELECT count(DISTINCT x)::int AS n FROM (${Array.from(
          { length: TABLES },
          (_, i) => `SELECT xmin::text AS x FROM public.t${i + 1}`,
        ).join(' UNION ALL ')}) rows`,
      );
      expect(loads.rows[0]?.n).toBeGreaterThan(0);
      expect(loads.rows[0]?.n).toBeLessThanOrEqual(4);
      // Each index's catalog row was written by the query (one implicit transaction) that built it.
      const builds = await c.query<{ indexes: number; n: number }>(
        `SELECT count(*)::int AS indexes, count(DISTINCT i.xmin::text)::int AS n
           FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
          WHERE t.relnamespace = 'public'::pg_catalog.regnamespace`,
      );
      expect(builds.rows[0]?.indexes).toBe(2 * TABLES);
      expect(builds.rows[0]?.n).toBeLessThanOrEqual(TABLES / 4);
    });
  }, 180_000);

  it('sets no owner the restoring role already has, and every other owner', async () => {
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await createPgDatabase('pg_manyr_own');
    created.push(target);
    // Every query of the restore's sessions, batches included.
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    let owners: string[];
    try {
      await restoreFromMemory(target.url, backup, {}, 2);
      owners = sent.mock.calls.flatMap(([sql]) =>
        typeof sql === 'string' ? sql.split('\n').filter((s) => / OWNER TO /.test(s)) : [],
      );
    } finally {
      sent.mockRestore();
    }
    // The restoring user made (and so owns) the tables it owned in the source: nothing to send for them.
    expect(owners.filter((s) => /^ALTER TABLE public\.t\d+ OWNER TO /.test(s))).toEqual([]);
    expect(owners.filter((s) => s.startsWith('ALTER TABLE public.theirs OWNER TO '))).toHaveLength(1);
    expect(await catalogSnapshot(target.url, true)).toEqual(await catalogSnapshot(source.url, true));
  }, 180_000);
});
