// The census (introspect/census.ts) reads catalog rows as the backup's snapshot sees them, which no
// lock changes: a data session that has joined the snapshot asks it while the leader still waits
// for its table locks, instead of the leader asking it after them (issue 14: one round trip and a
// fresh backend's first query less between the lock and the catalog readers). Seen from the server:
// another session holds a table, the backup's LOCK waits on it, and the census is asked meanwhile.
// The backup then completes with the same schema as one without the wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('census_while_locking');
  await withPgClient(db.url, (c) =>
    c.query(`
      CREATE TABLE held (id int PRIMARY KEY, note text);
      INSERT INTO held VALUES (1, 'one'), (2, 'two');
      CREATE VIEW held_notes AS SELECT note FROM held;`),
  );
});

afterAll(async () => {
  await db?.drop();
});

/** The census's own SQL starts like this (its first column). */
const CENSUS_START = 'SELECT (EXISTS (SELECT 1 FROM pg_catalog.pg_am WHERE oid >= 16384))';

function backupOf(url: string) {
  const streams = new MemoryStreams();
  return postgresEngine
    .backup({ url, streams, jobs: 2, options: {}, progress: () => {} })
    .then((result) => ({ result, streams }));
}

describe('the census of a backup with a data session', () => {
  it('is asked on the data session while the leader waits for its table locks', async () => {
    const alone = await backupOf(db.url);
    await withPgClient(db.url, async (holder) => {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
      const running = backupOf(db.url);
      running.catch(() => {}); // awaited below, after the lock is released
      let censusWhileWaiting = false;
      try {
        const until = Date.now() + 15_000;
        while (Date.now() < until) {
          // pg_stat_activity is read once per transaction: the holder's would stay as it first saw it.
          await holder.query('SELECT pg_catalog.pg_stat_clear_snapshot()');
          const { rows } = await holder.query<{ waiting: boolean; census: boolean }>(
            `SELECT bool_or(wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE%') AS waiting,
                    bool_or(starts_with(query, $1)) AS census
             FROM pg_catalog.pg_stat_activity WHERE datname = pg_catalog.current_database()
               AND pid <> pg_catalog.pg_backend_pid()`,
            [CENSUS_START],
          );
          if (rows[0]?.waiting && rows[0].census) {
            censusWhileWaiting = true;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await holder.query('COMMIT');
      }
      // Settled before anything is checked: a backup still running would keep the database from being dropped.
      const waited = await running;
      expect(censusWhileWaiting).toBe(true);
      expect(waited.result.schema).toEqual(alone.result.schema);
    });
  }, 60_000);
});
