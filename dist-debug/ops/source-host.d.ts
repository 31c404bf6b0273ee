/**
 * Whether a database URL names a server on this very machine: a loopback
 * address, `localhost`, a Unix socket, or no host at all (both drivers then
 * connect locally). A backup then shares the CPU with the server's own
 * processes, which changes how many threads it should take for itself (see
 * defaultCodecThreads). Only the URL is looked at; a host name that happens to
 * resolve to this machine counts as remote, which just means the old default.
 */
export declare function serverOnThisMachine(url: string): boolean;
