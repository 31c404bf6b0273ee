import { type Socket, connect as tcpConnect } from 'node:net';

/**
 * A refused port or an unknown host reported at once. The driver's server
 * selection keeps retrying a port that refuses until its timeout (5 s for a
 * run, 10 s for the preflight's probe) and only then names ECONNREFUSED;
 * PostgreSQL's driver says it at once. So beside the driver's attempt, one
 * plain TCP connection goes to each host the URL lists: when every one is
 * refused or does not resolve, the attempt is given up with that reason.
 * Anything else (a host that drops packets, a slow DNS answer, TLS, a
 * server that accepts) is left to the driver, and a host that accepts ends
 * the probe. `mongodb+srv://` URLs (hosts come from DNS), proxies and Unix
 * sockets are left to the driver too.
 */

/** Node's socket errors that no retry within seconds will change. */
const FINAL_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND']);

const DEFAULT_PORT = 27017;

/** Whether `error` is the socket error of a host that refused or did not resolve (see {@link connectUnlessRefused}). */
export function isRefusal(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && FINAL_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

/**
 * Waits for `attempt` unless every host of `url` refuses first; then calls
 * `giveUp` (which closes the driver's client) and throws the first host's
 * socket error (toStowageError makes it 'mongo-unreachable'). No import of the
 * driver here: the probes load it only when they connect.
 */
export async function connectUnlessRefused<T>(
  url: string,
  attempt: Promise<T>,
  giveUp: () => void,
): Promise<T> {
  const hosts = seedHosts(url);
  if (!hosts) return attempt;
  const sockets: Socket[] = [];
  const refused = new Promise<never>((_, reject) => {
    const failures: Error[] = [];
    for (const { host, port } of hosts) {
      const socket = tcpConnect({ host, port });
      sockets.push(socket);
      socket.once('connect', () => socket.destroy());
      socket.once('error', (error: NodeJS.ErrnoException) => {
        if (!FINAL_CODES.has(error.code ?? '')) return;
        failures.push(error);
        if (failures.length === hosts.length) reject(failures[0]);
      });
    }
  });
  try {
    return await Promise.race([attempt, refused]);
  } catch (error) {
    if (isRefusal(error)) giveUp();
    throw error;
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

/**
 * The hosts a `mongodb://` URL lists, or undefined when the probe cannot
 * stand for the driver's view of them.
 */
export function seedHosts(url: string): { host: string; port: number }[] | undefined {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^/?]+)(?:[/?]|$)/.exec(url);
  if (!m?.[1] || /[?&]proxyHost=/i.test(url)) return undefined;
  const hosts: { host: string; port: number }[] = [];
  for (const entry of m[1].split(',')) {
    const hostPort = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!hostPort?.[1]) return undefined;
    const host = decodeURIComponent(hostPort[1]).replace(/^\[(.*)\]$/, '$1');
    if (host.includes('/')) return undefined; // a Unix socket path
    hosts.push({ host, port: hostPort[2] ? Number(hostPort[2]) : DEFAULT_PORT });
  }
  return hosts.length ? hosts : undefined;
}
