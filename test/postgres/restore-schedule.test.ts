// Restore runs data, sequence values and post-data as one schedule: a table's indexes and
// constraints are built as soon as its own rows are in, while other tables still load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/progress.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import {
  backupToMemory,
  catalogSnapshot,
  restoreFromMemory,
  sequenceValues,
  tableChecksums,
} from './support.js';

describe('postgres restore schedule', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];

  beforeAll(async () => {
    source = await createPgDatabase('pg_sched_src');
    await withPgClient(source.url, async (c) => {
      await c.query(`
        CREATE TABLE big (id bigserial PRIMARY KEY, k int NOT NULL, pad text);
        INSERT INTO big (k, pad) SELECT g % 1000, repeat('x', 100) FROM generate_series(1, 30000) g;
        CREATE INDEX big_k ON big (k);
        CREATE TABLE other (id int PRIMARY KEY, big_id bigint NOT NULL REFERENCES big, note text);
        INSERT INTO other SELECT g, g, 'o' || g FROM generate_series(1, 3000) g;
        CREATE TABLE lonely (id int UNIQUE, v text);
        INSERT INTO lonely SELECT g, 'l' FROM generate_series(1, 500) g;
        CREATE TABLE events (at date NOT NULL, v int) PARTITION BY RANGE (at);
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        INSERT INTO events SELECT date '2025-01-01' + g % 700, g FROM generate_series(1, 2000) g;
        CREATE INDEX events_v ON events (v);
        -- Reads two tables: its refresh must wait for all of the data, not just its own relation.
        CREATE MATERIALIZED VIEW joined AS SELECT o.id, b.k FROM other o JOIN big b ON b.id = o.big_id;
        SELECT setval('big_id_seq', 123456);
      `);
    });
  });
  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  it('builds a table’s indexes before loading the next table, and refreshes views after all data', async () => {
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await createPgDatabase('pg_sched_one');
    created.push(target);
    const events: ProgressEvent[] = [];
    // One job makes the order deterministic: a worker always takes the first ready task.
    await restoreFromMemory(target.url, backup, {}, 1, events);

    const order = events.flatMap((e) =>
      e.type === 'unit-done' ? [`done ${e.name}`] : e.type === 'phase' ? [`phase ${e.phase}`] : [],
    );
    const at = (entry: string) => order.indexOf(entry);
    expect(at('done public.big')).toBeGreaterThanOrEqual(0);
    // Post-data began right after the biggest table, before the other tables were loaded.
    expect(at('phase post-data')).toBe(at('done public.big') + 1);
    expect(at('done public.other')).toBeGreaterThan(at('phase post-data'));

    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
    expect(await catalogSnapshot(target.url)).toEqual(await catalogSnapshot(source.url));
    expect(await sequenceValues(target.url)).toEqual(await sequenceValues(source.url));
  });

  it('gives the same database with parallel jobs', async () => {
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await createPgDatabase('pg_sched_two');
    created.push(target);
    await restoreFromMemory(target.url, backup, {}, 3);
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
    expect(await catalogSnapshot(target.url)).toEqual(await catalogSnapshot(source.url));
    expect(await sequenceValues(target.url)).toEqual(await sequenceValues(source.url));
  });

  it('many small tables: indexes and constraints sent several to a query give the same database, and a failing one is named', async () => {
    const many = await createPgDatabase('pg_sched_many');
    created.push(many);
    await withPgClient(many.url, async (c) => {
      await c.query(`
        CREATE FUNCTION ident_or_fail(v int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
        BEGIN
          IF current_setting('stowage_test.fail_index', true) = 'on' THEN RAISE EXCEPTION 'index build refused'; END IF;
          RETURN v;
        END $$;
        DO $$ BEGIN
          FOR i IN 1..40 LOOP
            EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, parent int, label text)', i);
            EXECUTE format('INSERT INTO t%s SELECT g, CASE WHEN %s > 1 THEN g END, md5(g::text) FROM generate_series(1, 20) g', i, i);
            EXECUTE format('CREATE INDEX t%s_label ON t%s (label)', i, i);
            IF i > 1 THEN
              EXECUTE format('ALTER TABLE t%s ADD CONSTRAINT t%s_parent FOREIGN KEY (parent) REFERENCES t%s (id)', i, i, i / 2);
            END IF;
          END LOOP;
        END $$;
        CREATE INDEX t7_fails ON t7 (public.ident_or_fail(id));
      `);
    });
    const backup = await backupToMemory(many.url, {}, 2);

    const target = await createPgDatabase('pg_sched_many_to');
    created.push(target);
    await restoreFromMemory(target.url, backup, {}, 2);
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(many.url));
    expect(await catalogSnapshot(target.url)).toEqual(await catalogSnapshot(many.url));

    // The target's sessions make the index build fail: the batch it was in rolls back, and the
    // objects are then created one by one, so the error names the index, not "N objects".
    const failing = await createPgDatabase('pg_sched_many_fail');
    created.push(failing);
    await withPgClient(failing.url, (c) =>
      c.query(`ALTER DATABASE "${failing.name}" SET stowage_test.fail_index = 'on'`),
    );
    await expect(restoreFromMemory(failing.url, backup, {}, 2)).rejects.toThrow(
      /creating index public\.t7_fails.*index build refused/s,
    );
  });

  it('a few small tables load on every connection, not all in one transaction on the first', async () => {
    const small = await createPgDatabase('pg_sched_small');
    created.push(small);
    const names = ['s1', 's2', 's3', 's4', 's5', 's6'];
    await withPgClient(small.url, (c) =>
      c.query(
        names
          .map(
            (t) =>
              `CREATE TABLE ${t} (id int PRIMARY KEY, v text); INSERT INTO ${t} SELECT g, md5(g::text) FROM generate_series(1, 200) g;`,
          )
          .join('\n'),
      ),
    );
    const backup = await backupToMemory(small.url, {}, 2);
    const target = await createPgDatabase('pg_sched_small_to');
    created.push(target);
    await restoreFromMemory(target.url, backup, {}, 2);
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(small.url));
    // A table's rows carry the id of the transaction that loaded them: two connections, two transactions.
    const loads = await withPgClient(target.url, async (c) => {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(DISTINCT x)::int AS n FROM (${names.map((t) => `(SELECT xmin::text AS x FROM ${t} LIMIT 1)`).join(' UNION ALL ')}) l`,
      );
      return rows[0]?.n;
    });
    expect(loads).toBe(2);
  });
});
