import {
  LIBPQ_ENVIRONMENT,
  type LibpqKeyword,
  parseConnInfo,
  quoteConnInfoValue,
} from '../engines/postgres/conninfo.js';

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
  // PGSERVICEFILE has no keyword in the table: it only says where services are looked up.
  const resolved: LibpqKeyword[] = ['service', 'hostaddr', 'password'];
  for (const key of resolved) delete env[LIBPQ_ENVIRONMENT[key]];
  delete env.PGSERVICEFILE;
  const values: Partial<Record<LibpqKeyword, string>> = {
    host: info.hosts.map((h) => h.host).join(','),
    port: info.hosts.map((h) => String(h.port)).join(','),
    user: info.user,
    dbname: info.database,
    sslmode: info.sslmode,
    application_name: info.applicationName,
    password: info.password,
    connect_timeout: info.connectTimeout > 0 ? String(info.connectTimeout) : undefined,
    sslrootcert: info.sslrootcert,
    sslcert: info.sslcert,
    sslkey: info.sslkey,
    options: info.options,
  };
  for (const [key, value] of Object.entries(values) as [LibpqKeyword, string | undefined][]) {
    if (value !== undefined) env[LIBPQ_ENVIRONMENT[key]] = value;
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
