// Many small tables (issue 14): their COPYs share queries, one round trip for a
// batch instead of one per table, and the data comes back whole.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { CopyOut } from '../../src/engines/postgres/copy-out.js';
import { CopyOutBatch } from '../../src/engines/postgres/copy-out-batch.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory, restoreFromMemory, tableChecksums } from './support.js';

const TABLES = 240;

describe('postgres backup of many small tables', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];

  beforeAll(async () => {
    source = await createPgDatabase('pg_many_src');
    await withPgClient(source.url, (c) =>
      c.query(`DO $$ BEGIN
        FOR i IN 1..${TABLES} LOOP
          EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, label text, at timestamptz, tags text[])', 't' || i);
          -- Some empty tables, some of a few rows, every tenth of 400 (a batch then spans several socket reads).
          EXECUTE format('INSERT INTO %I SELECT g, repeat(md5(g::text), 1 + g %% 5), now(), ARRAY[g::text] FROM generate_series(1, %s) g',
            't' || i, CASE WHEN i % 7 = 0 THEN 0 WHEN i % 10 = 0 THEN 400 ELSE i % 13 END);
        END LOOP;
      END $$`),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  it('copies them with a few queries, not one per table, and restores every row', async () => {
    // Each query that carries COPYs is handed to the connection through one of these.
    const single = vi.spyOn(CopyOut.prototype, 'submit');
    const batched = vi.spyOn(CopyOutBatch.prototype, 'submit');
    let backup: Awaited<ReturnType<typeof backupToMemory>>;
    let queries: number;
    let batches: number;
    try {
      backup = await backupToMemory(source.url, {}, 2);
      batches = batched.mock.calls.length;
      queries = single.mock.calls.length + batches;
    } finally {
      single.mockRestore();
      batched.mockRestore();
    }
    expect(batches).toBeGreaterThan(0);
    expect(queries).toBeLessThanOrEqual(Math.ceil(TABLES / 100) + 2);
    for (let i = 1; i <= TABLES; i++) {
      const rows = i % 7 === 0 ? 0 : i % 10 === 0 ? 400 : i % 13;
      expect(backup.streams.data.get(`public.t${i}`)?.items, `public.t${i}`).toBe(rows);
    }

    const target = await createPgDatabase('pg_many_dst');
    created.push(target);
    await restoreFromMemory(target.url, backup);
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
  }, 180_000);

  it('fails every COPY of a batch from the one the server refuses, keeps the ones before it, and leaves the session usable', async () => {
    const session = await PgSession.open(parseTarget(source.url), { mode: 'backup', settings: {} });
    try {
      const streams = new MemoryStreams();
      const copy = (table: string) => {
        const sink = streams.open(table);
        return new CopyOut(`COPY ${table} TO STDOUT (FORMAT binary)`, true, sink, (rows) => {
          sink.itemCount = rows;
        });
      };
      const batch = [copy('public.t1'), copy('public.no_such_table'), copy('public.t2')];
      session.client.query(new CopyOutBatch(batch));
      await batch[0]!.done;
      await batch[0]!.settled;
      expect(batch[0]!.rows).toBe(1);
      expect(batch[0]!.commandRows).toBe(1);
      await expect(batch[1]!.done).rejects.toThrow(/no_such_table/);
      await expect(batch[2]!.done).rejects.toThrow(/no_such_table/);
      await Promise.all(batch.map((c) => c.settled));
      const { rows } = await session.client.query<{ n: number }>('SELECT count(*)::int AS n FROM public.t2');
      expect(rows[0]?.n).toBe(2);
    } finally {
      await session.close();
    }
  });
});
