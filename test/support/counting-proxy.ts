// A TCP relay in front of a real server that counts the connections made through it: tests of
// how many connections (backends started, authentications) an operation costs.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface CountingProxy {
  /** `url` with its host and port replaced by the relay's. */
  url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections still open. */
  readonly open: number;
  close(): Promise<void>;
}

/** Starts a relay on 127.0.0.1 to the host and port of `url`. */
export async function countingProxy(url: string): Promise<CountingProxy> {
  const upstream = new URL(url);
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const server = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
    sockets.add(client);
    sockets.add(server);
    const end = () => {
      client.destroy();
      server.destroy();
      sockets.delete(client);
      sockets.delete(server);
    };
    for (const s of [client, server]) {
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the relay has no TCP address');
  const relayed = new URL(url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(address.port);
  return {
    url: relayed.toString(),
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size / 2;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
