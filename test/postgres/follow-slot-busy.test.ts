// A chain resumed while its replication slot is still streamed by another process: a follower
// killed a moment ago (its walsender has not noticed yet) or one still running. The first is
// waited for; the second is refused with a one-line error naming the slot, after that wait.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTarget } from '../../src/engines/postgres/connect.js';
import { ReplicationStream } from '../../src/engines/postgres/follow/replication-stream.js';
import { FollowProcess } from '../support/follow-process.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { dropReplicationState, slotState } from '../support/replication-cleanup.js';
import { until } from '../support/until.js';

describe('follow on PostgreSQL resuming a slot another process streams', () => {
  let source: TestPgDatabase;
  let repo: string;

  beforeAll(async () => {
    source = await createPgDatabase('follow_slot_busy');
    repo = mkdtempSync(join(tmpdir(), 'stowage-follow-slot-busy-'));
    await withPgClient(source.url, (c) =>
      c.query('CREATE TABLE events (id serial PRIMARY KEY, at timestamptz)'),
    );
  });

  afterAll(async () => {
    if (source) await dropReplicationState(source.url);
    await source?.drop();
    rmSync(repo, { recursive: true, force: true });
  });

  /** Streams the chain's slot from this process, as a follower's walsender would. */
  async function holdSlot(): Promise<ReplicationStream> {
    const { slot, lsn } = await withPgClient(source.url, async (c) => {
      const { rows } = await c.query<{ slot: string; lsn: string }>(
        `SELECT slot_name AS slot, confirmed_flush_lsn::text AS lsn FROM pg_replication_slots
          WHERE database = current_database()`,
      );
      return rows[0]!;
    });
    const stream = await ReplicationStream.open(parseTarget(source.url));
    stream.start(slot, slot, lsn, { message: () => {}, progressed: () => {}, ended: () => {} });
    await until(
      async () =>
        withPgClient(source.url, async (c) => {
          const { rows } = await c.query(
            'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active',
            [slot],
          );
          return rows.length === 1;
        }),
      async () => `the slot streamed by the test: ${await slotState(source.url)}`,
      10_000,
    );
    return stream;
  }

  const insert = () => withPgClient(source.url, (c) => c.query('INSERT INTO events (at) VALUES (now())'));

  it('waits for a slot let go within moments, and refuses one that stays in use', {
    timeout: 120_000,
  }, async () => {
    const first = new FollowProcess(source.url, repo);
    await until(
      async () => {
        await insert();
        return first.segments() >= 1;
      },
      () => `a first segment: ${first.describe()}`,
    );
    first.kill('SIGTERM');
    expect(await first.exited, first.log()).toBe(0);

    // Let go two seconds after the follower started: it waits, then resumes.
    const holder = await holdSlot();
    const second = new FollowProcess(source.url, repo);
    await sleep(2000);
    await holder.close();
    await until(
      async () => {
        await insert();
        return second.segments() >= 1;
      },
      async () => `a segment after the slot was let go: ${second.describe()}; ${await slotState(source.url)}`,
    );
    expect(second.events.filter((e) => e.type === 'chain-resumed')).toHaveLength(1);
    second.kill('SIGTERM');
    expect(await second.exited, second.log()).toBe(0);

    // Never let go: refused after the wait, naming the slot and what to do; nothing stored.
    const busy = await holdSlot();
    try {
      const third = new FollowProcess(source.url, repo);
      expect(await third.exited).not.toBe(0);
      expect(third.log()).toMatch(
        /replication slot stowage_\w+ is in use by server process \d+: another follow of this chain is running/,
      );
      // (The test server's password is "stowage": the scrubbed hint says `*** follow`.)
      expect(third.log()).toMatch(
        /hint: stop the other `.+ follow` \(or the daemon following this database\) first/,
      );
      expect(third.segments()).toBe(0);
    } finally {
      await busy.close();
    }
  });
});
