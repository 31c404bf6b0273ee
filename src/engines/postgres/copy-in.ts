import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import type { PgConnection } from './socket-feed.js';

/**
 * `COPY ... FROM STDIN` fed from a Readable, each chunk sent as one CopyData
 * message straight onto the socket.
 *
 * It plugs into `pg` as a Submittable, like pg-copy-streams' `from()`, but
 * tells the caller when the socket is done with each chunk (the socket
 * write's own callback, when the bytes are in the kernel), so the archive
 * reader can reuse that memory for the next frame: a restore then allocates
 * nothing per frame instead of leaving a trail of 2 MiB buffers for the
 * garbage collector. Backpressure is the socket's: the next chunk is read
 * from the source only once the socket has drained.
 *
 * When the source fails (a corrupt archive), the COPY is cancelled with
 * CopyFail, so the server rolls it back and the connection stays usable;
 * the source's error is the one reported.
 */

// Frontend message types (PostgreSQL protocol, "Message Formats").
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_FAIL = 0x66; // 'f'

export class CopyIn implements pg.Submittable {
  /** Rows the server reports it loaded (set when the COPY completes). */
  rowCount = 0;
  /** Bytes handed to the socket so far. */
  bytes = 0;
  private connection: PgConnection | undefined;
  private failure: Error | undefined;
  /** An error of our own side (the source), reported instead of the server's answer to CopyFail. */
  private sourceError: Error | undefined;
  private serverError: Error | undefined;

  /** Resolves with the row count once the server has taken the COPY; rejects on any failure. */
  readonly done: Promise<number>;
  private finish: (err?: Error) => void = () => {};

  /**
   * @param text the COPY ... FROM STDIN statement
   * @param source the data, as COPY expects it
   * @param onChunkDone called with each chunk once the socket no longer needs it
   */
  constructor(
    readonly text: string,
    private readonly source: Readable,
    private readonly onChunkDone: (chunk: Buffer) => void = () => {},
  ) {
    this.done = new Promise((resolve, reject) => {
      this.finish = (err) => (err ? reject(err) : resolve(this.rowCount));
    });
    this.done.catch(() => {});
  }

  submit(connection: pg.Connection): void {
    this.connection = connection as unknown as PgConnection;
    this.connection.query(this.text);
  }

  // pg calls these as the COPY proceeds.
  handleCopyInResponse(): void {
    void this.pump();
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /COPY (\d+)/.exec(msg?.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  handleError(err: Error): void {
    // The server refused the statement, rejected the data, or the connection died. Stop sending:
    // the server drops whatever CopyData still arrives.
    this.serverError ??= err;
    this.failure ??= err;
    this.source.destroy();
    // pg forgets the query on an error (ReadyForQuery goes to no one) and queues the next query until
    // the server is ready, so this is the end. CopyData still in flight is dropped by the server.
    this.settle();
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  private settle(): void {
    this.finish(this.sourceError ?? this.serverError);
  }

  private async pump(): Promise<void> {
    const socket = this.connection?.stream;
    if (!socket) return;
    try {
      await sendCopyData(socket, this.source, {
        stopped: () => this.failure !== undefined,
        onChunkDone: this.onChunkDone,
        onSent: (n) => {
          this.bytes += n;
        },
      });
    } catch (err) {
      if (this.failure) return; // the source was destroyed because the server failed first
      this.sourceError = err instanceof Error ? err : new Error(String(err));
      this.failure = this.sourceError;
      if (!socket.destroyed) socket.write(copyFail(this.sourceError.message));
    }
  }
}

/**
 * Sends `source` as CopyData messages, each chunk as it is (no copy), then
 * CopyDone, waiting for the socket to drain when it is full. Stops sending as
 * soon as `stopped()` (the server failed); a failure of the source is thrown.
 */
export async function sendCopyData(
  socket: Socket,
  source: Readable,
  hooks: { stopped(): boolean; onChunkDone(chunk: Buffer): void; onSent(bytes: number): void },
): Promise<void> {
  for await (const chunk of source) {
    if (hooks.stopped()) return;
    const data = chunk as Buffer;
    if (data.length === 0) continue;
    const header = Buffer.allocUnsafe(5);
    header[0] = COPY_DATA;
    header.writeUInt32BE(data.length + 4, 1);
    socket.write(header);
    const room = socket.write(data, () => hooks.onChunkDone(data));
    hooks.onSent(data.length);
    if (!room && !hooks.stopped()) await drained(socket);
  }
  if (!hooks.stopped()) socket.write(Buffer.from([COPY_DONE, 0, 0, 0, 4]));
}

/** A CopyFail message: the server ends the COPY in progress with `message` as its error. */
export function copyFail(message: string): Buffer {
  const text = Buffer.from(`${message.replaceAll('\0', ' ')}\0`, 'utf8');
  const out = Buffer.allocUnsafe(5 + text.length);
  out[0] = COPY_FAIL;
  out.writeUInt32BE(4 + text.length, 1);
  text.copy(out, 5);
  return out;
}

/** Resolves when the socket drains, or is closed (then the failure arrives through pg). */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
