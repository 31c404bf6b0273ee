import type { DatabaseProbes, ProbeSession, TargetContents } from '../plugin.js';
import type { PgSourceConnecting } from './backup-leader.js';
import { parseConnInfo } from './conninfo.js';
import { quoteIdent } from './ident.js';
import type { PostgresBackupOptions } from './options.js';

/** The server's `postgres` database, from which other databases can be created and dropped. */
const MAINTENANCE_DATABASE = 'postgres';

/** The database a connection string names (libpq's rules); the server's default database when none. */
export function targetDatabase(url: string): string {
  return parseConnInfo(url).database ?? MAINTENANCE_DATABASE;
}

/** PostgreSQL's probes, on a connection opened the way the engine opens its own (libpq's rules, sslmode). */
export const postgresProbes: DatabaseProbes = {
  async connect(url, options = {}) {
    // The driver loads on demand: `stowage --help` should not carry it.
    const { PgSession, parseTarget, withDatabase } = await import('./connect.js');
    const target = parseTarget(url);
    const database = targetDatabase(url);
    const session = await PgSession.open(
      options.toDrop ? withDatabase(target, MAINTENANCE_DATABASE) : target,
      { mode: 'restore', ...(options.signal ? { signal: options.signal } : {}) },
    );
    const { client } = session;
    const probe: ProbeSession = {
      async serverVersion() {
        const res = await client.query<{ v: string }>('SHOW server_version');
        return res.rows[0]?.v ?? '?';
      },
      async contents(): Promise<TargetContents> {
        const res = await client.query<{ name: string; total: string }>(
          `SELECT n.nspname || '.' || c.relname AS name, count(*) OVER () AS total
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1 LIMIT 5`,
        );
        return {
          exists: true,
          objects: Number(res.rows[0]?.total ?? 0),
          sample: res.rows.map((r) => r.name),
        };
      },
      async dropDatabase() {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
      },
      close: () => session.close(),
    };
    return probe;
  },
  connectSource(url, options, signal, jobs): PgSourceConnecting {
    // The driver loads on demand here too.
    const { lockTimeoutMs, schemaOnly, globalsOnly } = options as PostgresBackupOptions;
    // A schema-only or roles-only backup copies no data: it opens no data session.
    const dataSessions = schemaOnly || globalsOnly ? 0 : Math.max(0, (jobs ?? 1) - 1);
    const starting = import('./backup-leader.js').then((m) =>
      m.connectBackupSource(url, { lockTimeoutMs, dataSessions }, signal),
    );
    const connecting: PgSourceConnecting = {
      connected: starting.then((c) => c.connected),
      ready: starting.then((c) => c.ready),
      take: () => starting.then((c) => c.take()),
      dispose: () => starting.then((c) => c.dispose()).catch(() => {}),
    };
    // Reported where they are awaited, if anywhere (see connectBackupSource).
    connecting.connected.catch(() => {});
    connecting.ready.catch(() => {});
    return connecting;
  },
  isMissingDatabase(err) {
    // 3D000 invalid_catalog_name: the database does not exist yet.
    return (err as { code?: string })?.code === '3D000';
  },
};
