import { setTimeout as sleep } from 'node:timers/promises';
import { withPgClient } from './pg.js';

/**
 * Drops the replication slots and publications a follow test left in its database, once their
 * walsenders let go (a killed follower's slot stays active for a moment). Slots outlive the
 * database's drop otherwise and hold WAL on the shared server. Best effort: cleanup never fails a test.
 */
export async function dropReplicationState(url: string): Promise<void> {
  await withPgClient(url, async (c) => {
    for (let i = 0; i < 50; i++) {
      const { rows } = await c.query<{ active: boolean }>(
        `SELECT active FROM pg_replication_slots WHERE database = current_database()`,
      );
      if (!rows.some((r) => r.active)) break;
      await sleep(100);
    }
    await c.query(
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`,
    );
    await c.query(`DO $$ DECLARE p text; BEGIN FOR p IN SELECT pubname FROM pg_publication LOOP
                     EXECUTE format('DROP PUBLICATION %I', p); END LOOP; END $$`);
  }).catch(() => {});
}

/** The database's replication slots and their walsenders as they are now, for a timeout's message. */
export async function slotState(url: string): Promise<string> {
  return withPgClient(url, async (c) => {
    const { rows } = await c.query(
      `SELECT s.slot_name, s.active_pid, s.confirmed_flush_lsn::text AS confirmed,
              pg_current_wal_lsn()::text AS current, a.state, a.wait_event, a.backend_start::text AS since
         FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
        WHERE s.database = current_database()`,
    );
    return `slots: ${JSON.stringify(rows)}`;
  }).catch((err: unknown) => `slots: unreadable (${String(err)})`);
}
