import net from 'node:net';
import { handOver, MessageFraming } from './message-framing.js';

/**
 * Raw access to a pg connection's socket while a COPY runs, so COPY data can
 * skip pg's message parser.
 *
 * Two ways in:
 * - **Reusable read buffers** (plain TCP and Unix sockets that we create for
 *   pg, see {@link createBackupSocket}). net.Socket's `onread` option reads
 *   straight into a few buffers we own, so a COPY of gigabytes allocates
 *   nothing per read. With ordinary reads every read (up to 64 KiB) is a new
 *   ArrayBuffer that only the garbage collector frees, and a large backup
 *   spent a large share of its main-thread time in GC (docs/BENCHMARKS.md,
 *   "Design measurements"). Outside a COPY the socket behaves
 *   as usual for pg: each read is emitted as `'data'`, its whole messages as they are
 *   and a message cut at its end copied (see `toPg`).
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
export const MAX_HELD = 4;
const READ_BUFFER_BYTES = 256 * 1024;

const feeds = new WeakMap<object, BufferedSocketFeed>();

/**
 * A socket factory for `pg.Client`'s `stream` option: reusable read buffers
 * for plain connections; pg's own kind of socket when TLS is configured (pg
 * wraps that socket in TLS, which reads it itself).
 */
export function createBackupSocket(config: { ssl?: unknown }): net.Socket {
  if (config.ssl) return new net.Socket();
  const feed = new BufferedSocketFeed();
  // The constructor takes `onread` too (net.connect passes its options through); @types/node only lists it for connect().
  const options: net.SocketConstructorOpts & Pick<net.TcpSocketConnectOpts, 'onread'> = {
    onread: { buffer: () => feed.take(), callback: (n, buf) => feed.onRead(n, buf as Buffer) },
  };
  const socket = new net.Socket(options);
  feed.socket = socket;
  feeds.set(socket, feed);
  return socket;
}

/** The feed for a pg connection's socket: its reusable buffers when it has them, else stream reads. */
export function feedOf(stream: net.Socket): SocketFeed {
  return feeds.get(stream) ?? new StreamSocketFeed(stream);
}

class BufferedSocketFeed implements SocketFeed {
  socket!: net.Socket;
  private readonly free: Buffer[] = [];
  private handler: ChunkHandler | undefined;
  private held = 0;
  private stopped = false;
  /** The boundaries of the messages pg is given (see {@link toPg}). */
  private framing = new MessageFraming();

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  }

  /** `onread` callback; returning false pauses the socket. */
  onRead(n: number, buf: Buffer): boolean {
    const handler = this.handler;
    if (!handler) {
      this.toPg(buf, n);
      return true;
    }
    this.held++;
    let released = false;
    handler(buf.subarray(0, n), () => {
      if (released) return;
      released = true;
      this.held--;
      if (this.free.length < MAX_HELD) this.free.push(buf);
      if (this.stopped && this.held < MAX_HELD) {
        this.stopped = false;
        this.socket.resume();
      }
    });
    if (this.handler && this.held >= MAX_HELD) {
      this.stopped = true;
      return false;
    }
    return true;
  }

  /**
   * Gives a read to pg. pg's parser keeps the buffer it was given when a message is cut at its
   * end, and may write the next read's bytes into it, so a read buffer of ours cannot go as it is.
   * A copy of every read was ~48 MiB of buffers malloc'd and left as garbage while the catalog of
   * 20,000 tables was read (more, and in larger reads, the faster the server answered). So pg gets
   * the read's whole messages as a view of the buffer, which it parses at once and keeps nothing
   * of, and a copy of only the message the read cuts; where the framing says pg could keep a
   * slice of a message, the whole read is copied as before.
   */
  private toPg(buf: Buffer, n: number): void {
    handOver(this.framing, buf, n, (bytes) => this.socket.emit('data', bytes));
    this.free.push(buf);
  }

  start(handler: ChunkHandler): void {
    this.handler = handler;
  }

  stop(rest: Buffer): void {
    this.handler = undefined;
    // A COPY's reader hands pg the bytes after its messages from a boundary on.
    this.framing = new MessageFraming();
    this.framing.cut(rest, rest.length);
    if (rest.length) this.socket.emit('data', Buffer.from(rest));
    if (this.stopped) {
      this.stopped = false;
      this.socket.resume();
    }
  }
}

/** The pre-`onread` way: pause the socket and pull chunks with `read()` while the reader keeps up. */
class StreamSocketFeed implements SocketFeed {
  private pgHandler: ((chunk: Buffer) => void) | undefined;
  private handler: ChunkHandler | undefined;
  private held = 0;
  private pulling = false;
  private readonly onReadable = () => this.pull();

  constructor(private readonly socket: net.Socket) {}

  start(handler: ChunkHandler): void {
    const listeners = this.socket.listeners('data');
    if (listeners.length !== 1) throw new Error('unexpected pg connection state: expected one data listener');
    this.pgHandler = listeners[0] as (chunk: Buffer) => void;
    this.socket.removeListener('data', this.pgHandler);
    this.socket.pause();
    this.handler = handler;
    this.socket.on('readable', this.onReadable);
  }

  private pull(): void {
    if (this.pulling) return;
    this.pulling = true;
    try {
      while (this.handler && this.held < MAX_HELD) {
        const chunk = this.socket.read() as Buffer | null;
        if (chunk === null) break;
        this.held++;
        let released = false;
        this.handler(chunk, () => {
          if (released) return;
          released = true;
          this.held--;
          if (this.handler) process.nextTick(() => this.pull());
        });
      }
    } finally {
      this.pulling = false;
    }
  }

  stop(rest: Buffer): void {
    const pgHandler = this.pgHandler;
    this.handler = undefined;
    this.socket.removeListener('readable', this.onReadable);
    if (!pgHandler) return;
    this.socket.on('data', pgHandler);
    if (rest.length) pgHandler(Buffer.from(rest));
    // Resume on the next tick: pg's handler may itself pause the stream while we are inside it.
    process.nextTick(() => this.socket.resume());
  }
}
