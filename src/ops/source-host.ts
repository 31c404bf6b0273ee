import { allEngines } from '../engines/registry.js';

/**
 * Whether a database URL names a server on this very machine: a loopback
 * address, `localhost`, a Unix socket, or no host at all (both drivers then
 * connect locally). A backup then shares the CPU with the server's own
 * processes, which changes how many threads it should take for itself (see
 * defaultCodecThreads). Only the URL is looked at; a host name that happens to
 * resolve to this machine counts as remote, which just means the old default.
 */
export function serverOnThisMachine(url: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || allEngines().some((e) => e.remoteSchemes?.includes(scheme))) return false;
  const rest = url.slice(scheme.length + 3);
  const authority = rest.split(/[/?#]/, 1)[0] ?? '';
  const hostList = authority.slice(authority.lastIndexOf('@') + 1);
  const socketParam = /[?&]host=([^&#]*)/.exec(rest)?.[1];
  if (socketParam !== undefined && decodeURIComponent(socketParam).startsWith('/')) return true;
  if (hostList === '') return true;
  return hostList.split(',').every((h) => isLocalHost(decodeURIComponent(h)));
}

function isLocalHost(hostAndPort: string): boolean {
  if (hostAndPort.startsWith('/')) return true; // a percent-encoded Unix socket path
  const host = hostAndPort.startsWith('[')
    ? hostAndPort.slice(1, hostAndPort.indexOf(']'))
    : (hostAndPort.split(':', 1)[0] ?? '');
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
