import { StowageError } from '../../errors.js';
import type { PgSession } from './connect.js';

/** What the engine needs to know about the server it talks to. */
export interface ServerInfo {
  /** `server_version`, e.g. `15.6 (Debian 15.6-0+deb12u1)`. */
  version: string;
  /** `server_version_num`, e.g. 150006. */
  versionNum: number;
  database: string;
  /** Server encoding name, e.g. UTF8. */
  encoding: string;
  /**
   * The session's client_encoding when this was read: UTF8 as pg asks at start-up, which is the
   * database's own encoding for nearly every database.
   */
  clientEncoding: string;
  /**
   * PGlite (PostgreSQL compiled to WebAssembly, served through pglite-socket):
   * one backend shared by every connection, and no `COPY FROM STDIN`.
   */
  pglite: boolean;
  superuser: boolean;
  /** `current_user`: the role the session's statements run as (it owns what they create). */
  role: string;
}

/** Oldest server the catalog queries are written for; each reader adapts to the versions above it. */
export const MIN_SERVER_VERSION = 90600;
/** {@link MIN_SERVER_VERSION} as people write it. */
export const MIN_SERVER_VERSION_NAME = '9.6';

/**
 * The SELECT list {@link readServerInfo} reads: it can go into a session's first statement
 * (SessionOptions.alongside), whose row is then given to readServerInfo.
 */
export const SERVER_INFO_COLUMNS = `pg_catalog.version() AS full, pg_catalog.current_setting('server_version') AS version,
       pg_catalog.current_setting('server_version_num') AS num, pg_catalog.current_database() AS db,
       pg_catalog.current_setting('server_encoding') AS enc, pg_catalog.current_setting('client_encoding') AS client_enc,
       pg_catalog.current_setting('is_superuser') AS su, current_user AS me`;

interface ServerInfoRow {
  full: string;
  version: string;
  num: string;
  db: string;
  enc: string;
  client_enc: string;
  su: string;
  me: string;
}

/**
 * What the server says of itself: from `row`, the answer to {@link SERVER_INFO_COLUMNS} asked
 * alongside the session's settings, or else asked now.
 */
export async function readServerInfo(session: PgSession, row?: Record<string, unknown>): Promise<ServerInfo> {
  const r =
    (row as ServerInfoRow | undefined) ??
    (await session.query<ServerInfoRow>(`SELECT ${SERVER_INFO_COLUMNS}`)).rows[0];
  if (!r) throw new StowageError('pg-error', 'the server did not answer a version query');
  const info: ServerInfo = {
    version: r.version,
    versionNum: Number(r.num),
    database: r.db,
    encoding: r.enc,
    clientEncoding: r.client_enc,
    pglite: /PGlite|emscripten|wasm32/i.test(r.full),
    superuser: r.su === 'on',
    role: r.me,
  };
  requireSupportedServer(info, session.target.server);
  return info;
}

/** Refuses a server older than {@link MIN_SERVER_VERSION}, naming the oldest supported version. */
export function requireSupportedServer(
  info: Pick<ServerInfo, 'version' | 'versionNum'>,
  server: string,
): void {
  if (info.versionNum >= MIN_SERVER_VERSION) return;
  throw new StowageError(
    'pg-version',
    `PostgreSQL ${info.version} at ${server} is too old: the oldest version stowage supports is PostgreSQL ${MIN_SERVER_VERSION_NAME}`,
    `upgrade the server to PostgreSQL ${MIN_SERVER_VERSION_NAME} or newer, or use the dump tools that match it`,
  );
}
