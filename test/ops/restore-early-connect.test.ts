// A PostgreSQL restore connects to the target while the archive opens (Engine.startRestore): the
// connection's round trips and authentication overlap reading the archive instead of following it.
// When the archive then fails to open, that connection is let go, not left behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore } from '../../src/ops/restore.js';
import { pgUrl } from '../support/servers.js';

/** A TCP relay to the test server that counts the connections made through it and those ended. */
function countingRelay(target: URL) {
  const counts = { opened: 0, closed: 0 };
  let onClosed = () => {};
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    counts.opened++;
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
    sockets.push(client, upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('close', () => {
      counts.closed++;
      onClosed();
    });
  });
  /** Resolves once as many connections were closed as opened. */
  const allClosed = () =>
    new Promise<void>((resolve) => {
      onClosed = () => counts.closed === counts.opened && resolve();
      onClosed();
    });
  return { server, counts, allClosed, sockets };
}

describe('restore connects while the archive opens', () => {
  const real = new URL(pgUrl());
  const relay = countingRelay(real);
  let url: string;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-early-connect-'));
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    const via = new URL(real.href);
    via.hostname = '127.0.0.1';
    via.port = String((relay.server.address() as { port: number }).port);
    via.pathname = '/stowage_early_connect_never_created';
    url = via.href;
  });
  afterAll(async () => {
    for (const s of relay.sockets) s.destroy();
    await new Promise<void>((resolve) => relay.server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('has connected by the time the archive turns out unreadable, and closes that connection', async () => {
    await expect(
      restore({
        archive: join(dir, 'missing.stow'),
        target: url,
        engineOptions: { create: true },
        safetyBackup: false,
      }),
    ).rejects.toThrow();
    expect(relay.counts.opened).toBe(1);
    await relay.allClosed();
    expect(relay.counts.closed).toBe(1);
  });
});
