import {
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoServerClosedError,
  MongoServerError,
  MongoTopologyClosedError,
} from 'mongodb';

/**
 * Recognising "the server went away" in whatever shape it reaches us.
 *
 * A server killed mid-run does not fail one way. Measured against a FerretDB
 * killed during a restore (SIGKILL and SIGTERM, at several points): an insert
 * in flight usually fails with a `MongoNetworkError` ("connection 5 to HOST
 * closed", labelled `ResetPool`); one whose socket write was still waiting
 * for 'drain' gets Node's own `EPIPE` error ("This socket has been ended by
 * the other party"), which the driver passes on unwrapped; the next
 * operation fails with `connect ECONNREFUSED` (a network error labelled
 * `RetryableError`) or, once server selection times out, a
 * `MongoServerSelectionError`. Operations queued on the pool see it cleared
 * (`PoolClearedError`, a network error) or closed; a client being closed
 * meanwhile says "Topology is closed" or "Server is closed".
 */

/** Node socket error codes that mean the peer is gone or unreachable. */
const SOCKET_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTCONN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'ERR_SOCKET_CLOSED',
  'ERR_SOCKET_CLOSED_BEFORE_CONNECTION',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/**
 * Labels the driver puts on errors of a connection or server that is gone:
 * `ResetPool` (clear this server's pool), `PoolRequestedRetry` and
 * `InterruptInUseConnections` (the pool was cleared under the operation),
 * `HandshakeError` (a new connection failed before it was ready), and the
 * retry labels it gives network errors and shutdown/step-down server errors.
 * Never on errors about the data, such as a duplicate key.
 */
const LOST_LABELS: readonly string[] = [
  MongoErrorLabel.ResetPool,
  MongoErrorLabel.PoolRequestedRetry,
  MongoErrorLabel.InterruptInUseConnections,
  MongoErrorLabel.HandshakeError,
  MongoErrorLabel.RetryableWriteError,
  MongoErrorLabel.TransientTransactionError,
];

/**
 * Server error codes of a server going away: HostUnreachable, HostNotFound,
 * NetworkTimeout, ShutdownInProgress, PrimarySteppedDown, SocketException,
 * NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
 * NotPrimaryNoSecondaryOk.
 */
const LOST_SERVER_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435]);

/**
 * Driver classes recognised by name (some are not exported): the pool is gone, or the client was
 * closed under the operation (connect.ts closes it once the server is lost).
 */
const LOST_CLASS_NAMES = new Set([
  'PoolClearedError',
  'PoolClosedError',
  'MongoPoolClosedError',
  'MongoClientClosedError',
]);

/**
 * Messages of a lost connection when nothing else says so: the driver's
 * ("connection 3 to 127.0.0.1:27017 closed", "Topology is closed", "Server
 * is closed", "Attempted to check out a connection from closed connection
 * pool"), Node's ("socket hang up", "This socket has been ended by the other
 * party"), and a Go server's such as FerretDB, which can answer a request its
 * shutdown cut short with an internal error ending in "context canceled".
 */
const LOST_MESSAGE =
  /\bconnection(?: \d+)? to \S+ (?:closed|timed out)|\btopology is closed|\bserver is closed|closed connection pool|connection pool (?:was )?(?:cleared|closed)|socket hang up|socket has been ended|\bsocket (?:closed|destroyed)|\bcontext canceled|\bshutting down|\bconnection reset|\bbroken pipe/i;

/**
 * True when an error (or any error in its `cause` chain) means the
 * connection to the server was lost or the server stopped, rather than the
 * server refusing an operation.
 */
export function isConnectionLoss(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (lostByItself(e)) return true;
    const inner = (e as { errors?: unknown }).errors;
    // AggregateError, e.g. from Node's connection attempts to every address of a host.
    if (Array.isArray(inner) && inner.length > 0 && inner.every(lostByItself)) return true;
  }
  return false;
}

function lostByItself(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  if (
    e instanceof MongoNetworkError ||
    e instanceof MongoTopologyClosedError ||
    e instanceof MongoServerClosedError
  )
    return true;
  if (e instanceof MongoServerError && typeof e.code === 'number' && LOST_SERVER_CODES.has(e.code))
    return true;
  if (e instanceof MongoError) {
    if (LOST_CLASS_NAMES.has(e.name) || LOST_CLASS_NAMES.has(e.constructor.name)) return true;
    if (LOST_LABELS.some((label) => e.hasErrorLabel(label))) return true;
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  const message =
    e instanceof MongoServerError ? (e.errmsg ?? e.message) : (e as { message?: unknown }).message;
  return typeof message === 'string' && LOST_MESSAGE.test(message);
}
