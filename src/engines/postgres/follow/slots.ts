import { setTimeout as sleep } from 'node:timers/promises';
import { StowageError, UsageError } from '../../../errors.js';
import { PgSession, parseTarget } from '../connect.js';

/**
 * The server-side state of a PostgreSQL chain: one logical replication slot
 * and one publication, both named `stowage_<feedId>`. A slot keeps every WAL
 * segment from its confirmed position on: an abandoned one fills the server's
 * disk, hence {@link listStowageSlots} (for status) and {@link dropChainState}.
 */

/** Prefix of every slot and publication Stowage creates. */
export const SLOT_PREFIX = 'stowage_';

/** The slot (and publication) name of a chain (`stowage_…`); throws UsageError on a feed id outside `[a-z0-9_]{1,40}`. */
export function chainStateName(feedId: string): string {
  if (!/^[a-z0-9_]{1,40}$/.test(feedId))
    throw new UsageError(
      `bad feed id "${feedId}"`,
      'a feed id is 1 to 40 characters of a-z, 0-9 and _ (it names the replication slot)',
    );
  // The framework's ids already say stowage_ (catalog/naming.ts); others get the prefix.
  return feedId.startsWith(SLOT_PREFIX) ? feedId : `${SLOT_PREFIX}${feedId}`;
}

/**
 * How long a resumed chain waits for its slot to be let go. A follower that crashed or was killed
 * leaves its walsender streaming the slot until the server notices the connection is gone: a
 * moment, longer on a loaded server; a follower started again at once (a service manager's
 * restart) would otherwise fail on a slot "active for PID …".
 */
export const SLOT_RELEASE_WAIT_MS = 15_000;

/** The error for a slot another process streams: most likely a second follow of the same chain. */
export function slotInUse(name: string, pid: number | string | null | undefined): StowageError {
  return new StowageError(
    'pg-follow-setup',
    `the replication slot ${name} is in use by server process ${pid ?? '(unknown)'}: another follow of this chain is running`,
    'stop the other `stowage follow` (or the daemon following this database) first; a crashed one lets go of the slot within seconds',
  );
}

/**
 * Waits, polling, until no walsender holds the slot (or it is gone: the caller's next step says
 * so); throws {@link slotInUse} when one still holds it after `ms`.
 */
export async function waitForSlotRelease(
  session: PgSession,
  name: string,
  ms = SLOT_RELEASE_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { rows } = await session.query<{ pid: number | null }>(
      'SELECT active_pid AS pid FROM pg_catalog.pg_replication_slots WHERE slot_name = $1',
      [name],
      'looking for the replication slot',
    );
    const pid = rows[0]?.pid;
    if (pid === null || pid === undefined) return;
    if (Date.now() >= deadline) throw slotInUse(name, pid);
    await sleep(100);
  }
}

/** One Stowage slot on a server, for `status`. */
export interface StowageSlot {
  slot: string;
  database: string;
  /** A walsender is streaming it now. */
  active: boolean;
  /** Position confirmed as stored. */
  confirmedLsn: string | null;
  /** WAL the server keeps for this slot (from its restart position to now). */
  retainedBytes: number;
  /** PostgreSQL 13+: `reserved`, `extended`, `unreserved` or `lost` (lost: the slot is useless). */
  walStatus?: string;
}

/** Every Stowage slot of the server the URL names, with the WAL each one holds back. */
export async function listStowageSlots(url: string): Promise<StowageSlot[]> {
  const session = await PgSession.open(parseTarget(url), { mode: 'backup' });
  try {
    const version = Number(
      (await session.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]?.v,
    );
    const walStatus = version >= 130000 ? ', wal_status' : '';
    const { rows } = await session.query<{
      slot_name: string;
      database: string;
      active: boolean;
      confirmed_flush_lsn: string | null;
      retained: string | null;
      wal_status?: string;
    }>(
      `SELECT slot_name, database, active, confirmed_flush_lsn::text,
              pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)::int8 AS retained${walStatus}
         FROM pg_catalog.pg_replication_slots
        WHERE slot_type = 'logical' AND slot_name LIKE 'stowage\\_%'
        ORDER BY slot_name`,
      [],
      'listing replication slots',
    );
    return rows.map((r) => ({
      slot: r.slot_name,
      database: r.database,
      active: r.active,
      confirmedLsn: r.confirmed_flush_lsn,
      retainedBytes: Number(r.retained ?? 0),
      ...(r.wal_status ? { walStatus: r.wal_status } : {}),
    }));
  } finally {
    await session.close();
  }
}

/**
 * Drops a chain's slot and publication, those that exist. A slot whose
 * walsender is still exiting is "active" for a moment: retried for a few seconds.
 */
export async function dropChainState(session: PgSession, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await session.client.query(
        `SELECT pg_catalog.pg_drop_replication_slot(slot_name)
           FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
        [name],
      );
      break;
    } catch (err) {
      // 55006: the slot is active for another process.
      if ((err as { code?: string }).code !== '55006' || attempt >= 50)
        throw session.translate(err, `dropping the replication slot ${name}`);
      await sleep(100);
    }
  }
  await session.query(`DROP PUBLICATION IF EXISTS ${name}`, [], `dropping the publication ${name}`);
}
