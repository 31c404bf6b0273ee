import { connect } from 'node:net';
import type pg from 'pg';

/**
 * PostgreSQL's cancel request: a connection of its own to the server a session is connected to,
 * carrying the session's backend pid and secret key (sent at startup), after which the server
 * interrupts whatever statement that backend runs, as psql's Ctrl-C does. The statement then
 * fails with SQLSTATE 57014 on its own connection, which stays usable. A backend that is idle
 * ignores it. The request is sent in the clear even when the session uses TLS (libpq does the
 * same: it carries no password, and the server reads it before pg_hba.conf).
 */

/** The protocol's CancelRequest code (1234 in the high 16 bits, 5678 in the low). */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * Asks the server of `client` to cancel the statement its backend is running. Resolves true once
 * the server has taken the request (it closes the connection after signalling the backend), false
 * when it could not be delivered within `waitMs` (a server that stopped answering, or unreachable).
 * Never rejects.
 */
export function sendCancelRequest(client: pg.Client, waitMs: number): Promise<boolean> {
  const { processID, secretKey } = client as unknown as { processID?: number; secretKey?: number };
  if (processID == null || secretKey == null) return Promise.resolve(false);
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(processID, 8);
  message.writeInt32BE(secretKey, 12);
  // The host the session really connected to (one of several a connection string may list).
  const socket = client.host.startsWith('/')
    ? connect(`${client.host}/.s.PGSQL.${client.port}`)
    : connect({ host: client.host, port: client.port });
  return new Promise((resolve) => {
    let sent = false;
    const settle = (delivered: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(delivered);
    };
    const timer = setTimeout(() => settle(false), waitMs);
    socket.once('connect', () => {
      sent = true;
      socket.end(message);
    });
    socket.once('error', () => settle(false));
    // The server answers nothing: closing the connection is its receipt.
    socket.once('close', () => settle(sent));
    socket.resume();
  });
}
