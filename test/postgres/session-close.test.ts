// Ending a session sends the goodbye (Terminate) and lets the socket go once it is written, as
// libpq's PQfinish does: the server answers nothing to it, and its side of the close comes only
// when the backend has exited (milliseconds on a busy server, at the end of every restore).
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { pgUrl } from '../support/servers.js';

/**
 * A TCP relay to the test server that passes everything on but holds back the server's side of
 * the close: a backend that is slow to exit. `serverClosed` resolves once the server closed.
 */
function slowExitRelay(target: URL): { server: Server; serverClosed: Promise<void>; clients: Socket[] } {
  let closed!: () => void;
  const serverClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const clients: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (client) => {
    clients.push(client);
    const upstream = connect({
      host: target.hostname,
      port: Number(target.port || 5432),
      allowHalfOpen: true,
    });
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => client.write(d));
    client.on('error', () => {});
    upstream.on('error', () => {});
    upstream.on('end', () => closed());
  });
  return { server, serverClosed, clients };
}

describe('closing a PostgreSQL session', () => {
  const real = new URL(pgUrl());
  const relay = slowExitRelay(real);
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    const { port } = relay.server.address() as { port: number };
    const via = new URL(real.href);
    via.hostname = '127.0.0.1';
    via.port = String(port);
    url = via.href;
  });
  afterAll(async () => {
    for (const c of relay.clients) c.destroy();
    await new Promise<void>((resolve) => relay.server.close(() => resolve()));
  });

  it('does not wait for the backend to exit once the goodbye is sent', async () => {
    const session = await PgSession.open(parseTarget(url), { mode: 'restore', settings: {} });
    await session.query('SELECT 1');
    let settled = false;
    const closing = session.close().then(() => {
      settled = true;
    });
    // The backend got the goodbye and exited; the relay keeps that from the client.
    await relay.serverClosed;
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(true);
    await closing;
  });
});
