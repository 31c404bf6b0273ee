import type { SourceConnecting } from '../plugin.js';
import { PgSession, type PgTarget, parseTarget } from './connect.js';
import { readServerInfo, SERVER_INFO_COLUMNS, type ServerInfo } from './server-info.js';

/**
 * Settings for every backup session. An empty search_path makes the server
 * qualify every name it prints (pg_get_*def, format_type, regclass output);
 * the date/float settings fix the text COPY format for the few tables that use it.
 */
export const BACKUP_SETTINGS = {
  search_path: '',
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
  extra_float_digits: '3',
};

/**
 * Settings for every backup session where the server has them. No JIT: the catalog queries'
 * estimated costs pass `jit_above_cost` once a database has a few thousand objects (pg_depend's
 * links, columns, constraints, indexes), and compiling them took the server longer than
 * running them (1,000 tables: pg_depend's 50 ms of work took 96 ms, 20 of them compiling),
 * while the client waited. PostgreSQL 11 added `jit`.
 */
export const BACKUP_SETTINGS_IF_KNOWN = { jit: 'off' };

/** A backup's first session (it reads the catalog and exports the snapshot), with what the server said of itself. */
export interface BackupLeader {
  session: PgSession;
  server: ServerInfo;
  /**
   * Data sessions opened beside the leader, before its snapshot exists (see
   * {@link connectBackupSource}): the backup has them join the snapshot, or closes them.
   */
  data?: Promise<PgSession>[];
}

/**
 * Opens one of a backup's data sessions. They send text in the database's own encoding, so
 * bytes travel unchanged; they join the leader's snapshot before they read anything.
 */
export function openDataSession(
  target: PgTarget,
  encoding: string,
  signal?: AbortSignal,
): Promise<PgSession> {
  return PgSession.open(target, {
    mode: 'backup',
    settings: { ...BACKUP_SETTINGS, client_encoding: encoding },
    settingsIfKnown: BACKUP_SETTINGS_IF_KNOWN,
    signal,
  });
}

/** Opens the leader session and asks the server who it is. */
export function openBackupLeader(
  target: PgTarget,
  options: { lockTimeoutMs?: number },
  signal?: AbortSignal,
): Promise<BackupLeader> {
  return leaderOf(openLeaderSession(target, options, signal));
}

/**
 * The leader, opened before the backup proper starts: the preflight's source check waits on it
 * instead of connecting on its own (a backend started and an authentication, then done again by
 * the backup), and the engine takes it over. See {@link SourceConnecting}.
 */
export interface PgSourceConnecting extends SourceConnecting {
  /** The leader, for the engine: taken once, after which {@link SourceConnecting.dispose} leaves it open. */
  take(): Promise<BackupLeader>;
}

export function connectBackupSource(
  url: string,
  options: {
    lockTimeoutMs?: number;
    /**
     * Data sessions to open as soon as the server said who it is (not a PGlite, which serves one
     * session; their settings need the database's encoding): they start their backends and
     * authenticate while the leader begins the snapshot and lists the relations, where they
     * were opened only once the snapshot was exported (~15-20 ms later on a small database).
     */
    dataSessions?: number;
  },
  signal?: AbortSignal,
): PgSourceConnecting {
  const target = parseTarget(url);
  const opening = openLeaderSession(target, options, signal);
  const connected = opening.then(() => {});
  const leader = leaderOf(opening).then((l): BackupLeader => {
    const count = l.server.pglite ? 0 : (options.dataSessions ?? 0);
    if (!count) return l;
    const data = Array.from({ length: count }, () => openDataSession(target, l.server.encoding, signal));
    // Reported where the backup awaits them, if it does.
    for (const d of data) d.catch(() => {});
    return { ...l, data };
  });
  // Their failures are reported where they are awaited (the preflight, the engine), or not at all
  // when the backup stops before either.
  connected.catch(() => {});
  leader.catch(() => {});
  let taken = false;
  return {
    connected,
    ready: leader.then((l) => l.server.version),
    take() {
      taken = true;
      return leader;
    },
    async dispose() {
      if (taken) return;
      const l = await leader.catch(() => undefined);
      await Promise.all([
        l?.session.close(),
        ...(l?.data ?? []).map(async (d) => (await d.catch(() => undefined))?.close()),
      ]);
    },
  };
}

function openLeaderSession(
  target: PgTarget,
  options: { lockTimeoutMs?: number },
  signal: AbortSignal | undefined,
): Promise<PgSession> {
  const lockTimeout =
    options.lockTimeoutMs != null ? `${Math.max(0, Math.floor(options.lockTimeoutMs))}` : '0';
  return PgSession.open(target, {
    mode: 'backup',
    settings: { ...BACKUP_SETTINGS, lock_timeout: lockTimeout },
    settingsIfKnown: BACKUP_SETTINGS_IF_KNOWN,
    // The server's version and encoding come with the settings: one round trip before BEGIN, not two.
    alongside: SERVER_INFO_COLUMNS,
    signal,
  });
}

async function leaderOf(opening: Promise<PgSession>): Promise<BackupLeader> {
  const session = await opening;
  try {
    return { session, server: await readServerInfo(session, session.firstRow) };
  } catch (err) {
    await session.close();
    throw err;
  }
}
