// Statements given to one session at once (the catalog's readers share a session on purpose)
// go out one after another from the session's own queue, never through pg's: pg 8 queues a
// query sent while another runs but prints a DeprecationWarning on stderr for it (every backup
// printed one), and pg 9 refuses it.
import type { Socket } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('session_turns');
});

afterAll(async () => {
  await db?.drop();
});

/**
 * Counts the statements handed to pg while it still had one to run: pg's own condition for the
 * deprecation (`_queryQueue`, its queue of statements not yet sent, is not public).
 */
function countQueuedInDriver(client: pg.Client): { queued: number } {
  const seen = { queued: 0 };
  const driver = client as unknown as { _queryQueue: unknown[]; query: (...args: unknown[]) => unknown };
  const send = driver.query.bind(client);
  driver.query = (...args: unknown[]) => {
    if (driver._queryQueue.length > 0) seen.queued++;
    return send(...args);
  };
  return seen;
}

describe('a session given several statements at once', () => {
  it('sends them one after another itself, in the order given, each with its own answer', async () => {
    const session = await PgSession.open(parseTarget(db.url), { mode: 'backup', settings: {} });
    try {
      const seen = countQueuedInDriver(session.client);
      await session.query('CREATE TEMPORARY SEQUENCE turn_order');
      const rows: number[] = [];
      const answers = await Promise.all([
        session.query<{ n: string; at: string }>(
          `SELECT pg_sleep(0.05), 1 AS n, nextval('turn_order') AS at`,
        ),
        session.eachRow<{ n: string; at: string }>(
          `SELECT g AS n, nextval('turn_order') AS at FROM generate_series(2, 4) g`,
          undefined,
          (row) => rows.push(Number(row.at)),
        ),
        session.query<{ n: string; at: string }>(`SELECT 5 AS n, nextval('turn_order') AS at`),
        session.query(`SELECT 1/0`).catch((err: Error) => err),
        session.query<{ n: string; at: string }>(`SELECT 6 AS n, nextval('turn_order') AS at`),
      ]);
      expect(Number(answers[0].rows[0]?.at)).toBe(1);
      expect(rows).toEqual([2, 3, 4]);
      expect(Number(answers[2].rows[0]?.at)).toBe(5);
      expect(answers[3]).toBeInstanceOf(Error);
      expect(String(answers[3])).toMatch(/division by zero/);
      // The failed statement did not stop the queue.
      expect(Number(answers[4].rows[0]?.at)).toBe(6);
      expect(seen.queued).toBe(0);
    } finally {
      await session.close();
    }
  });

  it('writes them behind the open ones without waiting for answers (pipelined), each answered on its own', async () => {
    const session = await PgSession.open(parseTarget(db.url), { mode: 'backup', settings: {} });
    try {
      const stream = (session.client as unknown as { connection: { stream: Socket } }).connection.stream;
      const events: string[] = [];
      const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
        const chunk = args[0];
        // A Query ('Q') or Parse ('P') message: a statement going out.
        if (chunk instanceof Uint8Array && (chunk[0] === 0x51 || chunk[0] === 0x50)) events.push('sent');
        return write(...args);
      };
      const answered = (n: number) => (value: unknown) => {
        events.push(`answer ${n}`);
        return value;
      };
      await session.query('BEGIN');
      events.length = 0;
      const answers = await Promise.all([
        session.query<{ n: number }>('SELECT 1 AS n FROM pg_sleep(0.1)').then(answered(1)),
        session.query<{ n: number }>('SELECT 2 AS n').then(answered(2)),
        session.query('SELECT 1/0').catch((err: Error) => err),
        session.query('SELECT 3 AS n').catch((err: Error) => err),
      ]);
      // All four were on the wire before the first had its answer.
      expect(events.slice(0, 5)).toEqual(['sent', 'sent', 'sent', 'sent', 'answer 1']);
      expect((answers[0] as pg.QueryResult<{ n: number }>).rows).toEqual([{ n: 1 }]);
      expect((answers[1] as pg.QueryResult<{ n: number }>).rows).toEqual([{ n: 2 }]);
      // The failure is the failing statement's own; the one behind it is told the transaction
      // was aborted, as when it was sent after the failure.
      expect(String(answers[2])).toMatch(/division by zero/);
      expect(String(answers[3])).toMatch(/current transaction is aborted/);
      await session.query('ROLLBACK');
      // Outside a transaction a failure ends only its own statement.
      const after = await Promise.all([
        session.query('SELECT 1/0').catch((err: Error) => err),
        session.query<{ n: number }>('SELECT 4 AS n'),
      ]);
      expect(String(after[0])).toMatch(/division by zero/);
      expect((after[1] as pg.QueryResult<{ n: number }>).rows).toEqual([{ n: 4 }]);
      // Pipeline mode is over once the last answer is in: a statement pg refuses in it (a custom
      // query class, as the backup's COPY is) is taken again.
      expect((session.client as unknown as { pipeline: boolean }).pipeline).toBe(false);
    } finally {
      await session.close();
    }
  });
});
