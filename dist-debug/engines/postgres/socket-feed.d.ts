import net from 'node:net';
/**
 * Raw access to a pg connection's socket while a COPY runs, so COPY data can
 * skip pg's message parser.
 *
 * Two ways in:
 * - **Reusable read buffers** (plain TCP and Unix sockets that we create for
 *   pg, see {@link createBackupSocket}). net.Socket's `onread` option reads
 *   straight into a few buffers we own, so a COPY of gigabytes allocates
 *   nothing per read. With ordinary reads every read (up to 64 KiB) is a new
 *   ArrayBuffer that only the garbage collector frees: a backup of 600 MB
 *   left some 40 MiB of dead read buffers waiting for collection and spent a
 *   quarter of its main-thread time in GC. Outside a COPY the socket behaves
 *   as usual for pg: each read is copied and emitted as `'data'`.
 * - **Stream reads** (TLS, whose socket pg creates itself): the socket is
 *   paused and read with `read()`, each chunk a fresh buffer.
 *
 * Either way the COPY reader gets chunks with a `release` callback and must
 * call it once it no longer needs the bytes; reading stops while
 * {@link MAX_HELD} chunks are held, which is the backpressure.
 */
/**
 * The part of pg's (untyped-internal) Connection that COPY in both directions
 * uses: its socket, and sending a simple query. pg-copy-streams relies on the same.
 */
export interface PgConnection {
    stream: net.Socket;
    query(text: string): void;
}
/** What the COPY reader sees: a chunk, and how to say it is done with it. */
export type ChunkHandler = (chunk: Buffer, release: () => void) => void;
export interface SocketFeed {
    /** Starts delivering socket bytes to `handler` instead of pg. */
    start(handler: ChunkHandler): void;
    /** Gives the socket back to pg, `rest` (bytes after the COPY) first. */
    stop(rest: Buffer): void;
}
/** Chunks the reader may hold before the socket stops being read. */
export declare const MAX_HELD = 4;
/**
 * A socket factory for `pg.Client`'s `stream` option: reusable read buffers
 * for plain connections; pg's own kind of socket when TLS is configured (pg
 * wraps that socket in TLS, which reads it itself).
 */
export declare function createBackupSocket(config: {
    ssl?: unknown;
}): net.Socket;
/** The feed for a pg connection's socket: its reusable buffers when it has them, else stream reads. */
export declare function feedOf(stream: net.Socket): SocketFeed;
