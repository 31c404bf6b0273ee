import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';

/**
 * Connection parameters the way libpq reads them, so that whatever works
 * with psql and pg_dump works here: URLs (empty host, Unix-socket folders
 * in the query or percent-encoded in the host part, several hosts),
 * `key=value` strings, a service from `pg_service.conf`, the `PG*`
 * environment variables, and passwords from `~/.pgpass`. Precedence is
 * libpq's: what the string says, then the service, then the environment,
 * then the built-in defaults.
 *
 * https://www.postgresql.org/docs/current/libpq-connect.html
 */

/** One server to try, in order (libpq tries each host until one answers). */
export interface PgHost {
  /** A host name, an address, or a Unix-socket folder (starts with `/`). */
  host: string;
  port: number;
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface ConnInfo {
  hosts: PgHost[];
  user: string;
  database: string;
  /** Undefined when neither the string, the environment nor the password file has one. */
  password: string | undefined;
  /** Where the password came from, so a warning can say "given on the command line". */
  passwordFrom: 'string' | 'environment' | 'passfile' | undefined;
  sslmode: SslMode;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  applicationName: string;
  /** Seconds; 0 = wait for ever (libpq's meaning). */
  connectTimeout: number;
  /** Extra server settings given as `options=-c name=value`. */
  options?: string;
}

/**
 * libpq keywords and the environment variables that supply them: read here,
 * and set by ops/libpq-environment.ts for the client tools.
 */
export const LIBPQ_ENVIRONMENT = {
  host: 'PGHOST',
  hostaddr: 'PGHOSTADDR',
  port: 'PGPORT',
  dbname: 'PGDATABASE',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  passfile: 'PGPASSFILE',
  service: 'PGSERVICE',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  application_name: 'PGAPPNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  options: 'PGOPTIONS',
} as const satisfies Record<string, `PG${string}`>;

/** A libpq keyword that has an environment variable. */
export type LibpqKeyword = keyof typeof LIBPQ_ENVIRONMENT;

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Where libpq on Debian and most distributions looks for the server's socket. */
const SOCKET_DIRECTORIES = ['/var/run/postgresql', '/tmp'];

function bad(input: string, why: string): UsageError {
  return new UsageError(
    `not a valid PostgreSQL connection string (${why}): ${redactConnString(input)}`,
    'use postgres://user@host:port/database, or key=value pairs such as "host=db dbname=shop user=app"',
  );
}

/** The connection string with any password replaced by `***`, for messages. */
export function redactConnString(input: string): string {
  if (/^postgres(ql)?:\/\//i.test(input)) {
    return input
      .replace(/^(postgres(?:ql)?:\/\/[^:@/?]*):[^@/?]*@/i, '$1:***@')
      .replace(/([?&]password=)[^&]*/i, '$1***');
  }
  return input.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/i, '$1***');
}

/** Parses `key=value` pairs, values optionally single-quoted with `\'` and `\\` escapes. */
function parseKeywords(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|((?:[^\s'\\]|\\.)*))/y;
  let at = 0;
  while (at < input.length) {
    if (/^\s*$/.test(input.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(input);
    if (!m) throw bad(input, `cannot read it at "${input.slice(at).trim().slice(0, 20)}"`);
    out[(m[1] as string).toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    at = re.lastIndex;
  }
  return out;
}

function decode(input: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw bad(input, `bad percent-encoding in "${part}"`);
  }
}

/**
 * Parses `postgresql://[user[:password]@][host[:port][,host[:port]…]][/dbname][?key=value…]`.
 * Hand-written because WHATWG URL parsing rejects several hosts and empty hosts.
 */
function parseUrl(input: string): Record<string, string> {
  const m = /^postgres(?:ql)?:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(input);
  if (!m) throw bad(input, 'it is not a URL of the form postgresql://user@host:port/database');
  const out: Record<string, string> = {};
  let authority = m[1] ?? '';
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user) out.user = decode(input, user);
    if (colon >= 0) out.password = decode(input, userinfo.slice(colon + 1));
  }
  if (authority) {
    const hosts: string[] = [];
    const ports: string[] = [];
    for (const spec of authority.split(',')) {
      const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(spec);
      if (!hp) throw bad(input, `cannot read host "${spec}"`);
      hosts.push(decode(input, (hp[1] ?? '').replace(/^\[(.*)\]$/, '$1')));
      ports.push(hp[2] ?? '');
    }
    if (hosts.some((h) => h)) out.host = hosts.join(',');
    if (ports.some((p) => p)) out.port = ports.join(',');
  }
  if (m[2]) out.dbname = decode(input, m[2]);
  for (const pair of (m[3] ?? '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(input, eq >= 0 ? pair.slice(0, eq) : pair).toLowerCase();
    out[key] = decode(input, eq >= 0 ? pair.slice(eq + 1).replace(/\+/g, ' ') : '');
  }
  return out;
}

/** The `[service]` section of the first pg_service.conf that has it. */
function readService(name: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const files = [
    env.PGSERVICEFILE ?? join(env.HOME ?? homedir(), '.pg_service.conf'),
    join(env.PGSYSCONFDIR ?? '/etc/postgresql-common', 'pg_service.conf'),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    let section: string | undefined;
    const out: Record<string, string> = {};
    let found = false;
    for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const header = /^\[(.*)\]$/.exec(line);
      if (header) {
        section = header[1];
        if (section === name) found = true;
        continue;
      }
      if (section !== name) continue;
      const eq = line.indexOf('=');
      if (eq > 0) out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
    }
    if (found) return out;
  }
  throw new UsageError(
    `PostgreSQL service "${name}" is not defined in ${files.join(' or ')}`,
    'define it in ~/.pg_service.conf (or PGSERVICEFILE), or give the connection parameters directly',
  );
}

/**
 * Looks the password up in the password file (`PGPASSFILE` or `~/.pgpass`),
 * with libpq's rules: the first line whose host, port, database and user
 * match (`*` matches anything; `localhost` also matches a Unix socket), and
 * only from a file nobody else can read.
 */
export function passwordFromFile(
  file: string,
  who: { host: string; port: number; database: string; user: string },
): string | undefined {
  let mode: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return undefined;
    mode = stat.mode;
  } catch {
    return undefined;
  }
  if (mode & 0o077) return undefined; // libpq ignores a password file others can read, and so do we
  const host = who.host.startsWith('/') ? 'localhost' : who.host;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const fields: string[] = [];
    let current = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (c === '\\' && i + 1 < line.length) current += line[++i];
      else if (c === ':' && fields.length < 4) {
        fields.push(current);
        current = '';
      } else current += c;
    }
    fields.push(current);
    if (fields.length !== 5) continue;
    const [h, p, d, u, password] = fields as [string, string, string, string, string];
    const matches = (pattern: string, value: string) => pattern === '*' || pattern === value;
    if (
      matches(h, host) &&
      matches(p, String(who.port)) &&
      matches(d, who.database) &&
      matches(u, who.user)
    ) {
      return password;
    }
  }
  return undefined;
}

function defaultHost(port: number): string {
  for (const dir of SOCKET_DIRECTORIES) {
    if (existsSync(join(dir, `.s.PGSQL.${port}`))) return dir;
  }
  return 'localhost';
}

/** True when the input looks like `key=value` pairs rather than a URL. */
export function isKeywordConnString(input: string): boolean {
  return /^\s*[A-Za-z_]+\s*=/.test(input);
}

/**
 * `value` quoted for a `key=value` connection string: in single quotes, with
 * backslashes and quotes escaped, so any database name stays one value.
 */
export function quoteConnInfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Resolves a connection string (URL or `key=value`) with the service file,
 * the environment, the password file and libpq's defaults.
 */
export function parseConnInfo(input: string, env: NodeJS.ProcessEnv = process.env): ConnInfo {
  const given = isKeywordConnString(input) ? parseKeywords(input) : parseUrl(input);
  const serviceName = given.service ?? env.PGSERVICE;
  const service = serviceName ? readService(serviceName, env) : {};
  const fromEnv: Record<string, string> = {};
  for (const [key, variable] of Object.entries(LIBPQ_ENVIRONMENT)) {
    const value = env[variable];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const value = (key: string): string | undefined => given[key] ?? service[key] ?? fromEnv[key];

  const portList = (value('port') ?? '').split(',');
  const hostList = (value('host') ?? value('hostaddr') ?? '').split(',');
  const hosts: PgHost[] = hostList.map((host, i) => {
    const portText = portList.length === 1 ? portList[0] : portList[i];
    const port = portText ? Number(portText) : 5432;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw bad(input, `invalid port "${portText}"`);
    return { host: host || defaultHost(port), port };
  });
  if (portList.length > 1 && portList.length !== hostList.length) {
    throw bad(input, `${hostList.length} hosts but ${portList.length} ports`);
  }

  const user = value('user') ?? userInfo().username;
  const database = value('dbname') ?? user;
  const sslmode = (value('sslmode') ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(sslmode)) throw bad(input, `unknown sslmode "${sslmode}"`);
  const timeout = Number(value('connect_timeout') ?? 0);

  let password = given.password ?? service.password;
  let passwordFrom: ConnInfo['passwordFrom'] = password !== undefined ? 'string' : undefined;
  if (password === undefined && fromEnv.password !== undefined) {
    password = fromEnv.password;
    passwordFrom = 'environment';
  }
  if (password === undefined) {
    const passfile = value('passfile') ?? join(env.HOME ?? homedir(), '.pgpass');
    const first = hosts[0] as PgHost;
    password = passwordFromFile(passfile, { host: first.host, port: first.port, database, user });
    if (password !== undefined) passwordFrom = 'passfile';
  }

  const info: ConnInfo = {
    hosts,
    user,
    database,
    password,
    passwordFrom,
    sslmode,
    applicationName: value('application_name') ?? 'stowage',
    connectTimeout: Number.isFinite(timeout) && timeout > 0 ? timeout : 0,
  };
  for (const key of ['sslrootcert', 'sslcert', 'sslkey', 'options'] as const) {
    const v = value(key);
    if (v !== undefined) info[key] = v;
  }
  return info;
}

/** `host:port` (or the socket folder and port) of each host, for messages. */
export function describeHosts(info: Pick<ConnInfo, 'hosts'>): string {
  return info.hosts
    .map((h) => (h.host.startsWith('/') ? `${h.host} (port ${h.port})` : `${h.host}:${h.port}`))
    .join(', ');
}
