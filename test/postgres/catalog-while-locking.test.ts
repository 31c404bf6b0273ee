// Catalog rows as the backup's snapshot sees them, which no lock changes, are asked on a data session
// that has joined the snapshot while the leader still waits for its table locks, instead of after them
// (issue 14): the census (introspect/census.ts: one round trip and a fresh backend's first query less
// between the lock and the catalog readers) and pg_depend's links (introspect/depend.ts: the data
// session's longest query, where it sat idle through the locks). Seen from the server: another
// session holds a table, the backup's LOCK waits on it, and the question is asked meanwhile. The
// backup then completes with the same schema as one without the wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('catalog_while_locking');
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
/** readDependLinks' queries start like this: the links, then the user relations (its last). */
const LINKS_START = 'SELECT pg_catalog.string_agg(l.line, ';
const LINKS_RELATIONS_START = 'SELECT c.oid::text AS oid FROM pg_catalog.pg_class c';

function backupOf(url: string) {
  const streams = new MemoryStreams();
  return postgresEngine
    .backup({ url, streams, jobs: 2, options: {}, progress: () => {} })
    .then((result) => ({ result, streams }));
}

/**
 * Whether a session of a backup started while `held` is locked by another session showed a
 * query starting with one of `starts` (its last query, or the one it runs) while the backup's
 * LOCK waited; and that the backup then read the same schema as one without the wait.
 */
async function askedWhileLockWaits(starts: string[]): Promise<boolean> {
  const alone = await backupOf(db.url);
  let askedWhileWaiting = false;
  let waited: Awaited<ReturnType<typeof backupOf>> | undefined;
  await withPgClient(db.url, async (holder) => {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
    const running = backupOf(db.url);
    running.catch(() => {}); // awaited below, after the lock is released
    try {
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        // pg_stat_activity is read once per transaction: the holder's would stay as it first saw it.
        await holder.query('SELECT pg_catalog.pg_stat_clear_snapshot()');
        const { rows } = await holder.query<{ waiting: boolean; asked: boolean }>(
          `SELECT bool_or(wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE%') AS waiting,
                  bool_or(EXISTS (SELECT FROM unnest($1::text[]) s WHERE starts_with(query, s))) AS asked
           FROM pg_catalog.pg_stat_activity WHERE datname = pg_catalog.current_database()
             AND pid <> pg_catalog.pg_backend_pid()`,
          [starts],
        );
        if (rows[0]?.waiting && rows[0].asked) {
          askedWhileWaiting = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await holder.query('COMMIT');
    }
    // Settled before anything is checked: a backup still running would keep the database from being dropped.
    waited = await running;
  });
  expect(waited?.result.schema).toEqual(alone.result.schema);
  return askedWhileWaiting;
}

describe('catalog questions of a backup with a data session', () => {
  it('the census is asked on the data session while the leader waits for its table locks', async () => {
    // The data session reads pg_depend's links right after the census (backup.ts, askDependLinks), so
    // its last query may be theirs by then: they come only once the census is answered.
    expect(await askedWhileLockWaits([CENSUS_START, LINKS_START, LINKS_RELATIONS_START])).toBe(true);
  }, 60_000);

  it("pg_depend's links are read on the data session while the leader waits for its table locks", async () => {
    expect(await askedWhileLockWaits([LINKS_START, LINKS_RELATIONS_START])).toBe(true);
  }, 60_000);
});
