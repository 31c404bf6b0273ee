// A table's size estimate (scheduling, batching, progress) comes from the page
// counts VACUUM and ANALYZE keep, as pg_dump's does, instead of from its files:
// measuring them opened every table and TOAST table in the server, which with
// thousands of tables was most of the catalog query's time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory } from './support.js';

describe('postgres backup size estimates', () => {
  let db: TestPgDatabase;
  let fileBytes: Record<string, number>;

  beforeAll(async () => {
    db = await createPgDatabase('pg_size_estimate');
    fileBytes = await withPgClient(db.url, async (c) => {
      // Autovacuum off, so the statistics stay as each case leaves them.
      for (const t of ['analysed', 'grown', 'fresh']) {
        await c.query(`CREATE TABLE public.${t} (id int, v text) WITH (autovacuum_enabled = false)`);
      }
      await c.query(`INSERT INTO public.analysed SELECT g, md5(g::text) FROM generate_series(1, 2000) g`);
      await c.query('VACUUM ANALYZE public.analysed');
      // Analysed while empty, grown since: the statistics still say no pages.
      await c.query('ANALYZE public.grown');
      await c.query(`INSERT INTO public.grown SELECT g, md5(g::text) FROM generate_series(1, 2000) g`);
      // Never analysed: the statistics say nothing, so the files are measured.
      await c.query(`INSERT INTO public.fresh SELECT g, md5(g::text) FROM generate_series(1, 2000) g`);
      const { rows } = await c.query<{ name: string; bytes: string }>(
        `SELECT c.relname AS name, pg_catalog.pg_table_size(c.oid)::text AS bytes FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
    });
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('takes the page counts of analysed tables and measures only tables never analysed', async () => {
    const { result } = await backupToMemory(db.url);
    const tables = (result.schema as PostgresSchema).tables;
    const estimate = (name: string) => tables.find((t) => t.name === name)?.estimatedBytes;
    expect(fileBytes.grown).toBeGreaterThan(8192);
    // The statistics, not the files: ANALYZE counted no pages.
    expect(estimate('grown')).toBe(0);
    expect(estimate('analysed')).toBeGreaterThan(8192);
    expect(estimate('analysed')).toBeLessThanOrEqual(fileBytes.analysed!);
    expect(estimate('fresh')).toBeGreaterThan(8192);
    expect(estimate('fresh')).toBeLessThanOrEqual(fileBytes.fresh!);
  }, 60_000);
});
