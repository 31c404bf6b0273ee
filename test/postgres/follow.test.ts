// Continuous backup of PostgreSQL (issue 12): a pgoutput slot feed whose base is read from the
// slot's snapshot, replayed onto a restore of that base, gives exactly the source's data at any
// chosen LSN; DDL ends the chain; a resumed feed re-sends without gap or duplicate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainBroken, type ChangeFeed, type ChangeTransaction } from '../../src/engines/engine.js';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { postgresFollow } from '../../src/engines/postgres/follow/index.js';
import { listStowageSlots } from '../../src/engines/postgres/follow/slots.js';
import { StowageError } from '../../src/errors.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { startPglite } from './pglite.js';
import { sequenceValues, tableChecksums } from './support.js';

const ignore = () => {};

async function* each(list: ChangeTransaction[]): AsyncIterable<ChangeTransaction> {
  yield* list;
}

/** Reads until `count` transactions came (bounded: 30 s). */
async function readN(feed: ChangeFeed, count: number): Promise<ChangeTransaction[]> {
  const out: ChangeTransaction[] = [];
  const deadline = Date.now() + 30_000;
  while (out.length < count && Date.now() < deadline) out.push(...(await feed.read(500)));
  return out;
}

async function slotExists(url: string, name: string): Promise<boolean> {
  return withPgClient(url, async (c) => {
    const { rows } = await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [name]);
    return rows.length > 0;
  });
}

describe('postgres follow (logical decoding)', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];
  const feedId = `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const slot = `stowage_${feedId}`;
  let feed: ChangeFeed | undefined;
  let base: { streams: MemoryStreams; schema: unknown };
  let transactions: ChangeTransaction[] = [];
  /** What the source held at chosen moments, with the WAL insert position right after. */
  const marks: { lsn: string; checksums: Record<string, string> }[] = [];
  let committed = 0;

  const run = async (sql: string) => {
    await withPgClient(source.url, (c) => c.query(sql));
    committed++;
  };
  const mark = async () => {
    const checksums = await tableChecksums(source.url);
    const lsn = await withPgClient(source.url, async (c) => {
      const { rows } = await c.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l');
      return rows[0]?.l as string;
    });
    marks.push({ lsn, checksums });
  };
  const restoreBaseAndReplay = async (list: ChangeTransaction[]) => {
    const target = await createPgDatabase('follow_dst');
    created.push(target);
    await postgresEngine.restore({
      url: target.url,
      streams: base.streams.reader(),
      schema: base.schema,
      jobs: 2,
      options: {},
      progress: ignore,
    });
    const result = await postgresFollow.replay({
      url: target.url,
      transactions: each(list),
      schema: base.schema,
      options: {},
      progress: ignore,
    });
    return { target, result };
  };

  beforeAll(async () => {
    source = await createPgDatabase('follow_src');
    await withPgClient(source.url, (c) =>
      c.query(`
        CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL, balance numeric(12,2),
                               doc text, data bytea, tags text[], seen timestamptz);
        ALTER TABLE accounts ALTER COLUMN doc SET STORAGE EXTERNAL;
        CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account int, amount numeric);
        CREATE TABLE items (id int PRIMARY KEY, payload jsonb);
        CREATE TABLE dupes (a int, b text, j json, p point, f float8, t timestamptz);
        ALTER TABLE dupes REPLICA IDENTITY FULL;
        INSERT INTO accounts (name, balance, doc, data, tags, seen)
          SELECT 'acct ' || g, g * 10.5, NULL, decode(md5(g::text), 'hex'), ARRAY['a', NULL, 'q"uote'], '2024-01-01 10:00+02'
            FROM generate_series(1, 50) g;
        INSERT INTO ledger (account, amount) SELECT g, g FROM generate_series(1, 20) g;
        INSERT INTO items SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 30) g;
        INSERT INTO dupes (a, b) VALUES (1, 'x'), (1, 'x');
        INSERT INTO dupes VALUES (2, 'y', '{"k": [1, 2]}', '(1.5,2)', 0.1, '2024-03-01 12:00+05');
        SELECT lo_from_bytea(0, 'in the base only');
        CREATE TABLE events (id int, at date, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        INSERT INTO events VALUES (1, '2023-05-01', 'a'), (2, '2024-05-01', 'b');
      `),
    );
  });

  afterAll(async () => {
    await feed?.close({ drop: true }).catch(() => {});
    // A leaked slot keeps WAL on the shared server, and its database cannot be dropped.
    await withPgClient(source.url, (c) =>
      c.query(
        `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`,
        [slot],
      ),
    ).catch(() => {});
    for (const db of created) await db.drop();
    await source?.drop();
  });

  it('refuses REPLICA IDENTITY FULL tables unless allowed, naming them', async () => {
    const err = await postgresFollow.preflight(source.url, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).code).toBe('pg-follow-setup');
    expect((err as StowageError).message).toContain('public.dupes');
    await postgresFollow.preflight(source.url, { replicaIdentityFull: true });
    await postgresFollow.preflight(source.url, { excludeTables: ['dupes'] });
  });

  it('refuses a server without wal_level = logical, saying how to enable it', async () => {
    // PGlite is a real PostgreSQL (18) whose wal_level is replica.
    const pglite = await startPglite();
    try {
      const err = await postgresFollow.preflight(pglite.url, {}).catch((e: unknown) => e);
      expect((err as StowageError).code).toBe('pg-follow-setup');
      expect((err as StowageError).message).toMatch(/wal_level is replica/);
      expect((err as StowageError).hint).toMatch(/ALTER SYSTEM SET wal_level = logical.*restart/);
    } finally {
      await pglite.stop();
    }
  }, 240_000); // PGlite's WebAssembly start takes a minute on a busy machine

  it('refuses tables without a replica identity', async () => {
    await withPgClient(source.url, (c) => c.query('CREATE TABLE nokey (v int)'));
    try {
      const err = await postgresFollow
        .preflight(source.url, { replicaIdentityFull: true })
        .catch((e: unknown) => e);
      expect((err as StowageError).message).toMatch(/no primary key or replica identity.*public\.nokey/);
    } finally {
      await withPgClient(source.url, (c) => c.query('DROP TABLE nokey'));
    }
  });

  it('replays the stream onto the base to exactly the state at each chosen LSN', async () => {
    feed = await postgresFollow.open({
      url: source.url,
      options: { replicaIdentityFull: true },
      feedId,
      progress: ignore,
    });
    expect(postgresFollow.compare(feed.startPosition, '0/0')).toBeGreaterThan(0);
    await mark(); // 0: the base's point, nothing after it
    // Committed after the slot's snapshot but before the base is read: in the stream, not the base.
    await run(`INSERT INTO items VALUES (1000, '{"before": "base"}')`);
    const streams = new MemoryStreams();
    const result = await feed.takeBase({ streams, jobs: 2, progress: ignore });
    base = { streams, schema: result.schema };
    expect(result.pointInTime).toBe(true);
    expect(result.warnings).toContain(
      'large objects are in the base only: logical decoding does not carry their later changes',
    );

    const big = `(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 4000) g)`; // 128 KB, TOASTed
    await run(`INSERT INTO accounts (name, balance, doc, data, tags)
               VALUES ('toasty', 1, ${big}, '\\x00ff0a0d5c27'::bytea, '{}'), ('nulls', NULL, NULL, NULL, NULL)`);
    await run(`UPDATE accounts SET balance = balance + 1 WHERE name = 'toasty'`); // doc unchanged: 'u'
    await run(`UPDATE accounts SET doc = doc || 'tail', tags = ARRAY['x,y', '{}'] WHERE name = 'toasty'`);
    await mark(); // 1
    await run(`UPDATE accounts SET id = 1000 WHERE id = 3`); // the key itself changes
    await run(`UPDATE accounts SET name = 'renamed', data = NULL WHERE id = 4`);
    await run(`BEGIN; INSERT INTO ledger (account, amount) VALUES (1, -5.25);
               UPDATE accounts SET balance = balance - 5.25 WHERE id = 1; COMMIT`);
    await mark(); // 2: right after a transaction spanning two tables
    await run(`DELETE FROM accounts WHERE id BETWEEN 10 AND 14`);
    await run(`TRUNCATE items`);
    await run(`INSERT INTO items SELECT g, jsonb_build_object('again', g) FROM generate_series(1, 5) g`);
    await run(`DELETE FROM dupes WHERE a = 1`); // FULL identity: one row per change, of two equal ones
    await run(`UPDATE dupes SET b = 'z' WHERE a = 2`);
    await run(`INSERT INTO events VALUES (3, '2024-02-02', 'c'); UPDATE events SET v = 'a2' WHERE id = 1`);
    await run(`UPDATE events SET at = '2024-06-01' WHERE id = 1`); // moves the row to another partition
    await run(`INSERT INTO accounts (name) VALUES ('late')`);
    await mark(); // 3: the end

    transactions = await readN(feed, committed);
    expect(transactions.length).toBe(committed);
    const positions = transactions.map((t) => t.position);
    expect([...positions].sort(postgresFollow.compare)).toEqual(positions);
    expect(transactions.every((t) => Math.abs(t.commitTime - Date.now()) < 600_000)).toBe(true);
    // Nothing more, and the first change is the one committed before the base was read.
    expect(await feed.read(200)).toEqual([]);
    expect(transactions[0]?.payload.toString()).toContain('before');

    // The workload did reach the cases it is about: an UPDATE leaving a TOASTed value out ('u'),
    // a changed key ('K'), whole old rows of a FULL identity table ('O'), a TRUNCATE.
    const changes = transactions.flatMap((t) => JSON.parse(t.payload.toString()).changes);
    expect(changes.some((c) => c.op === 'update' && c.new.includes(0))).toBe(true);
    expect(changes.some((c) => c.op === 'update' && c.key)).toBe(true);
    expect(changes.some((c) => c.op === 'delete' && c.old)).toBe(true);
    expect(changes.some((c) => c.op === 'truncate')).toBe(true);
    expect(new Set(marks.map((m) => JSON.stringify(m.checksums))).size).toBe(marks.length);

    for (const [i, m] of marks.entries()) {
      const upTo = transactions.filter((t) => postgresFollow.compare(t.position, m.lsn) <= 0);
      const { target, result: replayed } = await restoreBaseAndReplay(upTo);
      expect(replayed.applied, `mark ${i}`).toBe(upTo.length);
      if (i === marks.length - 1)
        // Sequence values are recorded with each read batch: the last one equals the source's.
        expect(await sequenceValues(target.url)).toEqual(await sequenceValues(source.url));
      expect(await tableChecksums(target.url), `mark ${i}`).toEqual(m.checksums);
      // Wherever the cut, the next ids the restored sequences give are unused: inserts work.
      await withPgClient(target.url, (c) =>
        c.query(
          `INSERT INTO accounts (name) VALUES ('after restore'); INSERT INTO ledger (account) VALUES (1)`,
        ),
      );
      if (i === marks.length - 1) expect(upTo.length).toBe(committed);
    }
  }, 120_000);

  it('refuses to replay onto a database that is not the base', async () => {
    const target = await createPgDatabase('follow_wrong');
    created.push(target);
    await postgresEngine.restore({
      url: target.url,
      streams: base.streams.reader(),
      schema: base.schema,
      jobs: 1,
      options: {},
      progress: ignore,
    });
    await withPgClient(target.url, (c) => c.query(`DELETE FROM accounts WHERE name = 'acct 4'`));
    const err = await postgresFollow
      .replay({
        url: target.url,
        transactions: each(transactions),
        schema: base.schema,
        options: {},
        progress: ignore,
      })
      .catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('pg-replay-mismatch');
  });

  it('resumes after a close without confirm: re-sends from the confirmed position, no gap, no duplicate', async () => {
    const live = feed as ChangeFeed;
    const confirmedAt = transactions[2]?.position as string;
    const storedUpTo = transactions[6]?.position as string;
    await live.confirm(confirmedAt);
    // The status update travels on its own: wait until the server has it.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const slots = await listStowageSlots(source.url);
      const mine = slots.find((s) => s.slot === slot);
      if (mine?.confirmedLsn === confirmedAt || Date.now() > deadline) {
        expect(mine?.confirmedLsn).toBe(confirmedAt);
        expect(mine?.retainedBytes).toBeGreaterThan(0);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await live.close();
    feed = undefined;
    expect(await slotExists(source.url, slot)).toBe(true);

    // Resuming before the confirmed position would skip what lies in between: refused.
    const behind = await postgresFollow.open({
      url: source.url,
      options: { replicaIdentityFull: true },
      feedId,
      resumeAfter: transactions[1]?.position as string,
      progress: ignore,
    });
    await expect(behind.read(100)).rejects.toThrow(/past the last stored change/);
    await behind.close();

    // The segments up to storedUpTo were written, but never confirmed.
    feed = await postgresFollow.open({
      url: source.url,
      options: { replicaIdentityFull: true },
      feedId,
      resumeAfter: storedUpTo,
      progress: ignore,
    });
    expect(feed.startPosition).toBe(storedUpTo);
    const rest = transactions.slice(7);
    const again = await readN(feed, rest.length);
    expect(again.map((t) => t.position)).toEqual(rest.map((t) => t.position));
    expect(again.map((t) => JSON.parse(t.payload.toString()).changes)).toEqual(
      rest.map((t) => JSON.parse(t.payload.toString()).changes),
    );
    expect(await feed.read(200)).toEqual([]);
  }, 60_000);

  it('ends the chain at DDL, after handing out every transaction before it', async () => {
    const live = feed as ChangeFeed;
    await run(`INSERT INTO items VALUES (500, '{}')`);
    await run(`ALTER TABLE items ADD COLUMN extra int; INSERT INTO items VALUES (501, '{}', 1)`);
    const before = await readN(live, 1);
    expect(before.length).toBe(1);
    let caught: unknown;
    const deadline = Date.now() + 20_000;
    while (!caught && Date.now() < deadline) {
      try {
        expect(await live.read(500)).toEqual([]);
      } catch (err) {
        caught = err;
      }
    }
    expect(caught).toBeInstanceOf(ChainBroken);
    expect((caught as Error).message).toMatch(/columns of table public\.items changed/);
  }, 60_000);

  it('drops its slot and publication on close({drop: true})', async () => {
    await (feed as ChangeFeed).close({ drop: true });
    feed = undefined;
    expect(await slotExists(source.url, slot)).toBe(false);
    const pubs = await withPgClient(source.url, (c) =>
      c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [slot]),
    );
    expect(pubs.rows.length).toBe(0);
    // A chain whose slot is gone cannot resume: its feed says so on read, the caller starts over.
    const gone = await postgresFollow.open({
      url: source.url,
      options: {},
      feedId,
      resumeAfter: '0/1',
      progress: ignore,
    });
    const err = await gone.read(100).catch((e: unknown) => e);
    await gone.close({ drop: true });
    expect(err).toBeInstanceOf(ChainBroken);
    expect((err as Error).message).toMatch(/no longer exists/);
  });
});
