import type { PgSqlStateCode } from '../../error-codes.js';
import { type ErrorCode, StowageError } from '../../errors.js';
import { redactPassword } from '../../redact.js';
import { quoteIdent } from './ident.js';

/**
 * Turns driver and server errors into one-line {@link StowageError}s with a hint.
 * Expected failures (wrong password, missing database, lost connection, ...)
 * get a stable code; anything else keeps the server's message, prefixed with
 * what Stowage was doing, so the user sees the real cause.
 */

/** Where the error happened, for the message. Never contains a password. */
export interface ErrorContext {
  /** `host:port`, or the redacted URL. */
  server: string;
  database: string;
  user: string;
  /** The password, which must not appear in any message (see redactPassword for how it is masked). */
  password: string | undefined;
  /** The host names, shown in messages even when the password is one of them. */
  hosts: string[];
  /** What we were doing, e.g. `backing up table public.orders`. */
  doing?: string;
  /** Restore or backup: picks the hint for a missing database. */
  mode?: 'backup' | 'restore';
}

interface DriverError {
  code?: string;
  message?: string;
  hint?: string;
  errno?: number;
  syscall?: string;
  table?: string;
  schema?: string;
}

const CONNECTION_LOST =
  /Connection terminated|ECONNRESET|EPIPE|socket hang up|Client has encountered a connection error|terminating connection/i;

/** SQLSTATE classes and codes that mean the session is gone (shutdown, crash, admin kill). */
function isConnectionLost(e: DriverError): boolean {
  if (e.code && /^(57P01|57P02|57P03|08\w\w)$/.test(e.code)) return true;
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return true;
  return CONNECTION_LOST.test(e.message ?? '');
}

/**
 * True for errors raised by the server or the driver (SQLSTATE, socket errors,
 * lost connections), as opposed to errors from our own streams (the archive).
 */
export function isDriverError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as DriverError;
  if (typeof e.code === 'string' && (/^[0-9A-Z]{5}$/.test(e.code) || /^E[A-Z]+$/.test(e.code))) return true;
  if (e.syscall) return true;
  return (
    isConnectionLost(e) || /^(Connection terminated|Query read timeout|timeout expired)/.test(e.message ?? '')
  );
}

/** True when the error means the connection to the server is gone. */
export function connectionWasLost(err: unknown): boolean {
  return typeof err === 'object' && err !== null && isConnectionLost(err as DriverError);
}

/** Classifies `err` and returns the StowageError to throw. StowageErrors pass through unchanged. */
export function translatePgError(err: unknown, ctx: ErrorContext): StowageError {
  if (err instanceof StowageError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as DriverError;
  const redact = (text: string) => redactPassword(text, ctx.password, [ctx.user, ctx.database, ...ctx.hosts]);
  const raw = redact(firstLine(e.message ?? String(err)));
  const doing = ctx.doing ? ` while ${ctx.doing}` : '';
  const make = (code: ErrorCode, message: string, hint?: string) =>
    new StowageError(code, redact(message), hint, { cause: err });

  switch (e.code) {
    case 'ECONNREFUSED':
      return make(
        'pg-unreachable',
        `cannot connect to PostgreSQL at ${ctx.server}: connection refused`,
        'check the host and port in the URL and that the server is running',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(
        'pg-unreachable',
        `cannot connect to PostgreSQL at ${ctx.server}: host not found`,
        'check the host name in the URL',
      );
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return make(
        'pg-unreachable',
        `cannot connect to PostgreSQL at ${ctx.server}: ${e.code === 'ETIMEDOUT' ? 'timed out' : 'host unreachable'}`,
        'check the host, port and network path (firewall, VPN) to the server',
      );
    case '28P01':
      return make(
        'pg-auth',
        `password authentication failed for user "${ctx.user}" at ${ctx.server}`,
        'check the user name and password in the URL',
      );
    case '28000':
      return make(
        'pg-auth',
        `connection rejected for user "${ctx.user}" at ${ctx.server}: ${raw}`,
        'check pg_hba.conf on the server and the user name in the URL',
      );
    case '3D000':
      return make(
        'pg-no-database',
        `database "${ctx.database}" does not exist on ${ctx.server}`,
        ctx.mode === 'restore'
          ? 'pass --create to create it, or name an existing database in the URL'
          : 'check the database name in the URL',
      );
    case '53300':
      return make(
        'pg-too-many-connections',
        `${ctx.server} refused the connection: too many connections`,
        'lower --jobs or raise max_connections on the server',
      );
    case '53200': {
      // "out of shared memory" from the lock manager: its hint names the setting (PostgreSQL 16
      // quotes it). Other out-of-memory errors keep the server's message below.
      const setting = /max_(pred_)?locks_per_transaction/.exec(e.hint ?? '')?.[0];
      if (!setting) break;
      return make(
        'pg-out-of-locks',
        `PostgreSQL ran out of lock slots${doing} (${raw}): raise ${setting} on the server and restart it, as pg_dump needs too`,
        `a backup holds a lock on every table until it ends; set ${setting} so that it times (max_connections + max_prepared_transactions) exceeds the number of tables, or back up fewer tables at a time (--schema, --table)`,
      );
    }
    case '42501': {
      const missing = missingPrivilege(e.message ?? '', ctx);
      if (missing) return make('pg-permission', `${missing.message}${doing}`, missing.hint);
      const what = e.schema && e.table ? ` on ${e.schema}.${e.table}` : '';
      // Giving an object to a role the restoring user is not a member of: pg_restore's --no-owner case.
      const foreignOwner =
        ctx.mode !== 'backup' && /^must be (?:(?:a )?member of role|able to SET ROLE) /.test(raw);
      return make(
        'pg-permission',
        `permission denied${what}${doing}: ${raw}`,
        ctx.mode === 'backup'
          ? 'grant the backup user SELECT on it, or leave it out with --exclude-table'
          : foreignOwner
            ? 'pass --no-owner (the restoring user then owns the objects) or --map-role, or connect as a superuser'
            : 'connect as the owner of the target database or a superuser',
      );
    }
  }
  if (e.code === '08P01' && /SSL|GSS/i.test(raw)) {
    return make(
      'pg-ssl',
      `cannot connect to PostgreSQL at ${ctx.server}: ${raw}`,
      'set sslmode in the URL to match the server',
    );
  }
  if (/self[- ]signed certificate|certificate|The server does not support SSL/i.test(raw)) {
    return make(
      'pg-ssl',
      `cannot connect to PostgreSQL at ${ctx.server}: ${raw}`,
      'set sslmode in the URL to match the server (sslmode=disable, prefer, require, verify-ca or verify-full, as with psql)',
    );
  }
  if (isConnectionLost(e)) {
    return make(
      'pg-connection-lost',
      `lost the connection to PostgreSQL at ${ctx.server}${doing} (server restarted or connection killed): ${raw}`,
      'check the server log, then run the command again',
    );
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(raw)) {
    return make(
      'pg-unreachable',
      `cannot connect to PostgreSQL at ${ctx.server}: timed out`,
      'check the host, port and network path to the server',
    );
  }
  return make(
    e.code && /^[0-9A-Z]{5}$/.test(e.code) ? (`pg-${e.code}` as PgSqlStateCode) : 'pg-error',
    `PostgreSQL error${doing}: ${raw}`,
  );
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.trim();
}

/**
 * "permission denied for schema s" or "… for database d": the privilege that is missing is USAGE
 * on the schema (a backup; SELECT on its tables does not help without it), or CREATE on the schema
 * or the database (a restore creates schemas and objects in them). Said with the GRANT that fixes it.
 */
function missingPrivilege(message: string, ctx: ErrorContext): { message: string; hint: string } | undefined {
  const denied = /^permission denied for (schema|database) (.+)$/.exec(firstLine(message));
  if (!denied) return undefined;
  const [, kind, name = ''] = denied;
  const object = `${kind === 'schema' ? 'SCHEMA' : 'DATABASE'} ${quoteIdent(name)}`;
  const role = quoteIdent(ctx.user);
  if (kind === 'schema' && ctx.mode === 'backup') {
    return {
      message: `role ${role} lacks USAGE on schema ${quoteIdent(name)}`,
      hint: `GRANT USAGE ON ${object} TO ${role}; GRANT SELECT ON ALL TABLES IN ${object} TO ${role} (and on its sequences), or leave it out with --exclude-schema`,
    };
  }
  const privilege = kind === 'schema' ? 'USAGE and CREATE' : 'CREATE';
  return {
    message: `role ${role} lacks ${privilege} on ${kind} ${quoteIdent(name)}`,
    hint: `GRANT ${privilege.replace(' and ', ', ')} ON ${object} TO ${role}, or restore as the owner of the target database or a superuser`,
  };
}
