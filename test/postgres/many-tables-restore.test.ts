// Restore of many small tables (issue 14): their loads share transactions, so
// their indexes and constraints become ready together and share queries too;
// owners the restoring role already has are not set again.

import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { CopyInBatch, CopyInBatchError } from '../../src/engines/postgres/copy-in-batch.js';
import { loadTableCopy } from '../../src/engines/postgres/load-copy.js';
import type { PgTableData } from '../../src/engines/postgres/model.js';
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
    // Each query that carries COPYs is handed to the connection through this; every other query through pg's.
    const batched = vi.spyOn(CopyInBatch.prototype, 'submit');
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    let copyQueries: number;
    let transactionControl: string[];
    try {
      await restoreFromMemory(target.url, backup, {}, 2);
      copyQueries = batched.mock.calls.length;
      transactionControl = sent.mock.calls.flatMap(([sql]) =>
        typeof sql === 'string' && /^(BEGIN|COMMIT)\b/.test(sql) ? [sql] : [],
      );
    } finally {
      batched.mockRestore();
      sent.mockRestore();
    }
    expect(copyQueries).toBeGreaterThan(0);
    expect(copyQueries).toBeLessThanOrEqual(4);
    // A batch's query is its transaction: no BEGIN and COMMIT round trips around it.
    expect(transactionControl).toEqual([]);
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

  it('takes COPY data as async iterables (no stream per table): loads them, reads ahead, stops them on failure', async () => {
    const target = await createPgDatabase('pg_manyr_chunks');
    created.push(target);
    await withPgClient(target.url, (c) => c.query('CREATE TABLE a (v int); CREATE TABLE b (v int)'));
    const session = await PgSession.open(parseTarget(target.url), { mode: 'restore', settings: {} });
    try {
      const events: string[] = [];
      /** A table's data as a generator, as ArchiveReader.chunks gives it; says when it is asked for, and when it ends. */
      const part = (table: string, chunks: string[], gate?: Promise<void>) => ({
        text: `COPY ${table} FROM STDIN`,
        open: () =>
          (async function* () {
            try {
              events.push(`${table} read`);
              for (const chunk of chunks) {
                yield Buffer.from(chunk);
                if (gate) await gate;
              }
            } finally {
              events.push(`${table} ended`);
            }
          })(),
      });
      const good = new CopyInBatch([part('a', ['1\n', '2\n']), part('b', ['3\n'])]);
      session.client.query(good);
      expect(await good.done).toEqual([2, 1]);
      expect(good.bytes).toEqual([4, 2]);

      // The next COPY's first chunk is read while the one before is still being sent.
      events.length = 0;
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const ahead = new CopyInBatch([part('a', ['4\n', '5\n'], gate), part('b', ['6\n'])]);
      session.client.query(ahead);
      try {
        await vi.waitFor(() => expect(events).toContain('b read'), { timeout: 5_000 });
        expect(events).not.toContain('a ended');
      } finally {
        release();
      }
      expect(await ahead.done).toEqual([2, 1]);

      // The server refuses a COPY's data: the one opened ahead of its turn is stopped (its generator
      // ends), not left open holding the archive, and nothing of the batch stays.
      events.length = 0;
      const refused = new CopyInBatch([
        part('a', ['7\n']),
        part('b', ['not a number\n']),
        part('a', ['8\n', '9\n']),
      ]);
      session.client.query(refused);
      const err = await refused.done.catch((e: unknown) => e);
      expect((err as CopyInBatchError).index).toBe(1);
      expect((err as CopyInBatchError).error.message).toMatch(/invalid input syntax for type integer/);
      await vi.waitFor(() => expect(events.filter((e) => e === 'a ended')).toHaveLength(2), {
        timeout: 5_000,
      });
      const { rows } = await session.client.query<{ v: number }>(
        'SELECT v FROM a UNION ALL SELECT v FROM b ORDER BY 1',
      );
      expect(rows.map((r) => r.v)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('fails a batch of COPYs at the one that fails and leaves the session usable', async () => {
    const target = await createPgDatabase('pg_manyr_batch');
    created.push(target);
    await withPgClient(target.url, (c) => c.query('CREATE TABLE a (v int); CREATE TABLE b (v int)'));
    const session = await PgSession.open(parseTarget(target.url), { mode: 'restore', settings: {} });
    try {
      const opened: string[] = [];
      const sources: Readable[] = [];
      const part = (table: string, data: string) => ({
        text: `COPY ${table} FROM STDIN`,
        open: () => {
          opened.push(table);
          const source = Readable.from([Buffer.from(data)]);
          sources.push(source);
          return source;
        },
      });
      const good = new CopyInBatch([part('a', '1\n2\n'), part('b', '3\n')]);
      session.client.query(good);
      expect(await good.done).toEqual([2, 1]);

      const refused = new CopyInBatch([part('a', '4\n'), part('b', 'not a number\n'), part('a', '5\n')]);
      session.client.query(refused);
      const err = await refused.done.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyInBatchError);
      expect((err as CopyInBatchError).index).toBe(1);
      expect((err as CopyInBatchError).error.message).toMatch(/invalid input syntax for type integer/);

      // A source that fails: the server is told (CopyFail) and the source's error is the one reported.
      const broken = new CopyInBatch([
        part('a', '6\n'),
        {
          text: 'COPY b FROM STDIN',
          open: () =>
            Readable.from(
              (async function* () {
                yield Buffer.from('7\n');
                throw new Error('frame checksum mismatch');
              })(),
            ),
        },
        part('a', '8\n'),
      ]);
      opened.length = 0;
      sources.length = 0;
      session.client.query(broken);
      const failed = await broken.done.catch((e: unknown) => e);
      expect((failed as CopyInBatchError).index).toBe(1);
      expect((failed as CopyInBatchError).error.message).toBe('frame checksum mismatch');
      // Nothing of a failed batch stays (one query, one implicit transaction); after a source failed, the
      // next one (opened ahead) was closed, not sent.
      const { rows } = await session.client.query<{ v: number }>(
        'SELECT v FROM a UNION ALL SELECT v FROM b ORDER BY 1',
      );
      expect(rows.map((r) => r.v)).toEqual([1, 2, 3]);
      expect(opened).toEqual(['a', 'a']);
      expect(sources[1]?.destroyed).toBe(true);

      // A stream the archive lacks, met while opening it ahead (during the COPY before it): the error
      // names its own COPY, not the one being sent then.
      const lacking = new CopyInBatch([
        part('a', '30\n'),
        {
          text: 'COPY b FROM STDIN',
          open: () => {
            throw new Error('archive has no stream named b');
          },
        },
      ]);
      session.client.query(lacking);
      const missing = await lacking.done.catch((e: unknown) => e);
      expect((missing as CopyInBatchError).index).toBe(1);
      expect((missing as CopyInBatchError).error.message).toBe('archive has no stream named b');

      // The next COPY's data is opened while the one before is still being sent, so it is ready when the
      // server gets to it instead of the server waiting for the archive between them.
      const events: string[] = [];
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const readAhead = new CopyInBatch([
        {
          text: 'COPY a FROM STDIN',
          open: () =>
            Readable.from(
              (async function* () {
                yield Buffer.from('20\n');
                await gate;
                events.push('a sent');
              })(),
            ),
        },
        {
          text: 'COPY b FROM STDIN',
          open: () => {
            events.push('b opened');
            return Readable.from([Buffer.from('21\n')]);
          },
        },
      ]);
      session.client.query(readAhead);
      try {
        await vi.waitFor(() => expect(events).toContain('b opened'), { timeout: 5_000 });
      } finally {
        release();
      }
      expect(await readAhead.done).toEqual([1, 1]);
      expect(events).toEqual(['b opened', 'a sent']);

      // One table on its own: a batch of one, with its source opened before the server answers.
      const table = (name: string) => ({ schema: 'public', name, columns: [] }) as unknown as PgTableData;
      const sentBytes: number[] = [];
      expect(
        await loadTableCopy(session, table('b'), Readable.from([Buffer.from('9\n10\n')]), (n) =>
          sentBytes.push(n),
        ),
      ).toBe(2);
      expect(sentBytes.at(-1)).toBe(5);
      // Refused before its data was asked for, the source is closed all the same (an archive stream left open holds the reader).
      const unread = Readable.from([Buffer.from('11\n')]);
      const refusedTable = await loadTableCopy(session, table('missing'), unread, () => {}).catch(
        (e: unknown) => e,
      );
      expect((refusedTable as Error).message).toMatch(/missing/);
      expect(unread.destroyed).toBe(true);
      // A source failing part way: CopyFail, the source's error reported, the session still usable.
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('12\n');
          throw new Error('frame checksum mismatch');
        })(),
      );
      const sourceFailed = await loadTableCopy(session, table('b'), failing, () => {}).catch(
        (e: unknown) => e,
      );
      expect((sourceFailed as Error).message).toMatch(/frame checksum mismatch/);
      const after = await session.client.query<{ v: number }>('SELECT v FROM b ORDER BY 1');
      expect(after.rows.map((r) => r.v)).toEqual([3, 9, 10, 21]);
    } finally {
      await session.close();
    }
  });
});
