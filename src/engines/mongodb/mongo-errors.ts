import {
  MongoError,
  MongoInvalidArgumentError,
  MongoParseError,
  MongoRuntimeError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { StowageError } from '../../errors.js';
import { redactConnection, redactUrl } from '../../redact.js';
import { isConnectionLoss } from './connection-loss.js';
import { isRefusal } from './refused-fast.js';

/**
 * Turns driver errors into one-line {@link StowageError}s with a hint, so
 * the CLI never prints a driver stack or a topology dump, and never a
 * credential. Anything already a StowageError passes through unchanged.
 */

/** Server error codes we give a specific message. */
export const MongoCodes = {
  Unauthorized: 13,
  AuthenticationFailed: 18,
  NamespaceNotFound: 26,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DocumentValidationFailure: 121,
  CommandNotFound: 59,
  QueryPlanKilled: 175,
  InterruptedAtShutdown: 11600,
  InterruptedDueToReplStateChange: 11602,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  OplogQueryMinTsMissing: 326,
  OperationNotSupportedInTransaction: 263,
} as const;

/** What the engine was doing, for the message: "… during backup of shop.orders". */
export interface ErrorContext {
  url: string;
  /** e.g. `backup of shop.orders`, `connecting`. */
  during?: string;
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url.replace(/^mongodb(\+srv)?:/, 'http:'));
    return parsed.host || 'the server';
  } catch {
    // mongodb:// URLs may list several hosts, which URL() rejects.
    const m = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)/.exec(url);
    return m?.[1] ?? 'the server';
  }
}

/** First line of a message, without the driver's trailing detail. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

/** The most telling cause of a server selection failure (e.g. ECONNREFUSED). */
function selectionCause(error: MongoServerSelectionError): string {
  const servers = error.reason?.servers;
  if (servers) {
    for (const description of servers.values()) {
      if (description.error) return firstLine(description.error.message);
    }
  }
  return firstLine(error.message);
}

/** Translates any error into a StowageError (passing StowageErrors through). */
export function toStowageError(error: unknown, context: ErrorContext): StowageError {
  if (error instanceof StowageError) return error;
  const host = hostOf(context.url);
  const during = context.during ? ` during ${context.during}` : '';
  const clean = (text: string) => redactConnection(text, context.url);

  const badUrl =
    error instanceof MongoParseError ||
    (error instanceof MongoRuntimeError && /unable to parse/i.test(error.message)) ||
    (error instanceof MongoInvalidArgumentError && context.during === 'connecting');
  if (badUrl) {
    return new StowageError(
      'mongo-bad-url',
      clean(`invalid MongoDB URL ${redactUrl(context.url)}: ${firstLine(error.message)}`),
      'write mongodb://[user:password@]host[:port][/database][?options]',
      { cause: error },
    );
  }
  const lost = (detail: string) =>
    new StowageError(
      'mongo-connection-lost',
      `lost the connection to MongoDB at ${host}${during}: ${clean(detail)}`,
      'check that the server is up (a restart mid-run aborts the run); then run it again',
      { cause: error },
    );
  // Every host refused or did not resolve, found before the driver's server selection gave up.
  if (context.during === 'connecting' && isRefusal(error)) {
    return unreachable(error, host, during, clean(firstLine(error.message)));
  }
  if (error instanceof MongoServerSelectionError) {
    const cause = clean(selectionCause(error));
    const auth = /auth/i.test(cause);
    // Once connected, a server that cannot be selected any more has gone away mid-run.
    if (!auth && context.during !== 'connecting') return lost(cause);
    if (!auth) return unreachable(error, host, during, cause);
    return new StowageError(
      'mongo-auth',
      `authentication failed on MongoDB at ${host}: ${cause}`,
      'check the user name, password and authSource in the URL',
      { cause: error },
    );
  }
  if (error instanceof MongoServerError) {
    const message = clean(firstLine(error.errmsg ?? error.message));
    switch (error.code) {
      case MongoCodes.AuthenticationFailed:
        return new StowageError(
          'mongo-auth',
          `authentication failed on MongoDB at ${host}`,
          'check the user name, password and authSource in the URL',
          { cause: error },
        );
      case MongoCodes.Unauthorized:
        return new StowageError(
          'mongo-unauthorized',
          `not authorized on MongoDB at ${host}${during}: ${message}`,
          'grant the user the backup role (for backup) or restore role (for restore)',
          { cause: error },
        );
      case MongoCodes.CursorNotFound:
        return new StowageError(
          'mongo-cursor-lost',
          `MongoDB at ${host} lost the read cursor${during} (the server restarted, or the cursor timed out)`,
          'run it again; if the archive store is slow, use a faster one or fewer --jobs',
          { cause: error },
        );
      case MongoCodes.InterruptedAtShutdown:
      case MongoCodes.InterruptedDueToReplStateChange:
        return new StowageError(
          'mongo-connection-lost',
          `MongoDB at ${host} shut down or stepped down${during}: ${message}`,
          'run it again once the server is back; nothing partial was kept',
          { cause: error },
        );
      default:
        if (isConnectionLoss(error)) return lost(firstLine(error.errmsg ?? error.message));
        return new StowageError(
          'mongo-server',
          `MongoDB at ${host} refused an operation${during}: ${message} (code ${error.code ?? 'unknown'})`,
          undefined,
          { cause: error },
        );
    }
  }
  // Network errors, closed pools and topologies, and Node's own socket errors
  // (EPIPE, ECONNRESET), which the driver sometimes passes on unwrapped.
  if (isConnectionLoss(error)) {
    return lost(firstLine(error instanceof Error ? error.message : String(error)));
  }
  if (error instanceof MongoError) {
    return new StowageError(
      'mongo-driver',
      clean(`MongoDB driver error${during}: ${firstLine(error.message)}`),
      undefined,
      {
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StowageError(
    'mongo-internal',
    clean(`unexpected error${during}: ${firstLine(message)}`),
    undefined,
    {
      cause: error,
    },
  );
}

/** A server out of reach while connecting, as the driver's server selection or the refusal probe found. */
function unreachable(error: Error, host: string, during: string, cause: string): StowageError {
  return new StowageError(
    'mongo-unreachable',
    `cannot reach MongoDB at ${host}${during}: ${cause}`,
    'check the host and port, that the server is running, and that no firewall is in the way',
    { cause: error },
  );
}

/** True for server errors that mean "this collection or cursor went away under us". */
export function isNamespaceGone(error: unknown): boolean {
  if (!(error instanceof MongoServerError)) return false;
  return (
    error.code === MongoCodes.NamespaceNotFound ||
    error.code === MongoCodes.QueryPlanKilled ||
    error.code === MongoCodes.CursorNotFound
  );
}
