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
