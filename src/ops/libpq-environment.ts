import { parseConnInfo, quoteConnInfoValue } from '../engines/postgres/conninfo.js';

/**
 * How the PostgreSQL client tools (pg_dump, createdb, pg_restore) reach the
 * server of a connection string, URL or `key=value`: the string is read once
 * by the engine's own parser (service file, environment and password file
 * included) and handed over as `PG*` variables, so the password never shows
 * on the process list and no string is rewritten by pattern.
 */
export interface LibpqConnection {
  /** The child's environment: the parent's, with the connection's `PG*` variables set. */
  env: NodeJS.ProcessEnv;
  /** The database the string names. */
  database: string;
}

/** The tools' environment for `url`; see {@link LibpqConnection}. */
export function libpqConnection(url: string, base: NodeJS.ProcessEnv = process.env): LibpqConnection {
  const info = parseConnInfo(url, base);
  const env: NodeJS.ProcessEnv = { ...base };
  // Resolved already: a service named again would override what the string said (libpq ranks it higher).
  for (const key of ['PGSERVICE', 'PGSERVICEFILE', 'PGHOSTADDR', 'PGPASSWORD']) delete env[key];
  env.PGHOST = info.hosts.map((h) => h.host).join(',');
  env.PGPORT = info.hosts.map((h) => String(h.port)).join(',');
  env.PGUSER = info.user;
  env.PGDATABASE = info.database;
  env.PGSSLMODE = info.sslmode;
  env.PGAPPNAME = info.applicationName;
  if (info.password !== undefined) env.PGPASSWORD = info.password;
  if (info.connectTimeout > 0) env.PGCONNECT_TIMEOUT = String(info.connectTimeout);
  const optional = {
    PGSSLROOTCERT: info.sslrootcert,
    PGSSLCERT: info.sslcert,
    PGSSLKEY: info.sslkey,
    PGOPTIONS: info.options,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) env[key] = value;
  }
  return { env, database: info.database };
}

/**
 * A `-d` argument naming `database` alone: in `key=value` form, so a name
 * holding `=` or starting with `postgres://` is not read as a connection
 * string; the rest comes from the environment.
 */
export function dbnameArgument(database: string): string {
  return `dbname=${quoteConnInfoValue(database)}`;
}
