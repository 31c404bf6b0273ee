import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type pg from 'pg';
import type { PgConnection } from './socket-feed.js';

// Frontend message types (PostgreSQL protocol, "Message Formats").
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_FAIL = 0x66; // 'f'

/**
 * A COPY's data: a readable stream, or the chunks themselves as an async
 * iterable. With thousands of small tables the iterable is what to give: a
 * `Readable` and the async iterator read from it are some thirty objects per
 * table, which live as long as the table's turn in the batch (long enough to
 * reach V8's old space) and are garbage right after.
 */
export type CopyInSource = Readable | AsyncIterable<Buffer>;

/** One `COPY ... FROM STDIN` of a {@link CopyInBatch}, its data opened only when its turn comes. */
export interface CopyInPart {
  text: string;
  open(): CopyInSource;
}

/** A COPY's data being read: its iterator, its first chunk when it was asked for ahead of its turn, its stream if it is one. */
interface OpenedSource {
  chunks: AsyncIterator<Buffer>;
  first?: Promise<IteratorResult<Buffer>>;
  stream?: Readable;
}

/** A batch's failure, with the index of the COPY it struck (every COPY before it completed). */
export class CopyInBatchError extends Error {
  constructor(
    /** The server's error, or the source's. */
    readonly error: Error,
    readonly index: number,
  ) {
    super(error.message);
    this.name = 'CopyInBatchError';
  }
}

/**
 * One or more `COPY ... FROM STDIN` statements sent as one simple query, each
 * one's data sent right after the one before without waiting for the server,
 * each chunk as one CopyData message straight onto the socket.
 *
 * It plugs into `pg` as a Submittable, like pg-copy-streams' `from()`, but
 * tells the caller when the socket is done with each chunk (the socket write's
 * own callback, when the bytes are in the kernel), so the archive reader can
 * reuse that memory for the next frame: a restore then allocates nothing per
 * frame. Backpressure is the socket's: the next chunk is read from the source
 * only once the socket has drained.
 *
 * With thousands of small tables a load costs two round trips per table (the
 * query, answered by CopyInResponse; the data, answered by CommandComplete and
 * ReadyForQuery) for a few kilobytes of rows. The server runs the statements
 * of one query in turn and reads each COPY's data from the socket in order, so
 * the whole batch goes out in one stream: its data is already waiting when the
 * server reaches each COPY. Each COPY's row count comes back in its own
 * CommandComplete. A query of several statements is one transaction by itself
 * (an implicit transaction block, unless one is already open): the batch
 * commits when it completes, with no BEGIN or COMMIT round trip.
 *
 * A failing COPY (refused data, or a source that fails: CopyFail, so the
 * server rolls it back and the connection stays usable, and the source's error
 * is the one reported) ends the query: the server skips the statements after
 * it and ignores whatever copy data of theirs was already sent, and nothing
 * more is sent. The COPYs before it are rolled back with it.
 */
export class CopyInBatch implements pg.Submittable {
  readonly text: string;
  /** Rows the server loaded, per COPY, as each completes. */
  readonly rowCounts: number[] = [];
  /** Bytes handed to the socket, per COPY. */
  readonly bytes: number[];
  /** Resolves with the row counts once the server finished every COPY; rejects with a {@link CopyInBatchError}. */
  readonly done: Promise<number[]>;
  private connection: PgConnection | undefined;
  private started = false;
  private failure: Error | undefined;
  /** An error of our own side (a source), reported instead of the server's answer to CopyFail. */
  private sourceError: Error | undefined;
  /** The COPY whose source failed: the server may not have completed the ones before it yet. */
  private sourceIndex = 0;
  private serverError: Error | undefined;
  private source: OpenedSource | undefined;
  /** The next COPY's data, opened while this one is sent so its first frame is ready when its turn comes. */
  private ahead: OpenedSource | undefined;
  private finish: (err?: Error) => void = () => {};

  /**
   * @param parts the COPYs, in order
   * @param onChunkDone called with each chunk once the socket no longer needs it
   * @param before statements run first in the same query (and transaction), answering with no rows (`SET LOCAL ...`)
   */
  constructor(
    private readonly parts: CopyInPart[],
    private readonly onChunkDone: (chunk: Buffer) => void = () => {},
    before: string[] = [],
  ) {
    this.text = [...before, ...parts.map((p) => p.text)].join(';\n');
    this.bytes = parts.map(() => 0);
    this.done = new Promise((resolve, reject) => {
      this.finish = (err) => {
        if (!err) return resolve(this.rowCounts);
        // The server answers COPYs in order, so its failure is at the first it did not complete.
        const index =
          err === this.sourceError ? this.sourceIndex : Math.min(this.rowCounts.length, parts.length - 1);
        reject(new CopyInBatchError(err, index));
      };
    });
    this.done.catch(() => {});
  }

  submit(connection: pg.Connection): void {
    this.connection = connection as unknown as PgConnection;
    this.connection.query(this.text);
  }

  // pg calls these as the query proceeds: a CopyInResponse and a CommandComplete per COPY.
  handleCopyInResponse(): void {
    if (this.started) return;
    this.started = true;
    void this.pump();
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg?.text ?? '');
    if (m) this.rowCounts.push(Number(m[1]));
  }

  handleError(err: Error): void {
    // The server refused a statement, rejected the data, or the connection died. Stop sending:
    // the server drops whatever CopyData still arrives.
    this.serverError ??= err;
    this.failure ??= err;
    stop(this.source);
    stop(this.ahead);
    // pg forgets the query on an error (ReadyForQuery goes to no one) and queues the next query until
    // the server is ready, so this is the end.
    this.settle();
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  private settle(): void {
    const error =
      this.sourceError ??
      this.serverError ??
      (this.rowCounts.length === this.parts.length
        ? undefined
        : new Error(`the server completed ${this.rowCounts.length} of ${this.parts.length} COPYs`));
    this.finish(error);
  }

  private async pump(): Promise<void> {
    const socket = this.connection?.stream;
    if (!socket) return;
    for (let i = 0; i < this.parts.length && !this.failure; i++) {
      try {
        this.source = this.ahead ?? opened((this.parts[i] as CopyInPart).open());
        this.ahead = undefined;
        const next = this.parts[i + 1];
        if (next) {
          // Read ahead by one: the next table's frame is read and decompressed while this one is
          // sent, instead of the server waiting for it between the two COPYs.
          this.ahead = openedNow(next);
        }
        await sendCopyData(socket, this.source, {
          stopped: () => this.failure !== undefined,
          onChunkDone: this.onChunkDone,
          onSent: (n) => {
            this.bytes[i] = (this.bytes[i] ?? 0) + n;
          },
        });
      } catch (err) {
        if (this.failure) return; // the source was destroyed because the server failed first
        this.sourceError = err instanceof Error ? err : new Error(String(err));
        this.sourceIndex = i;
        this.failure = this.sourceError;
        stop(this.source);
        stop(this.ahead);
        // The server is in this COPY (or will be once it reaches it): CopyFail ends it, and the query.
        if (!socket.destroyed) socket.write(copyFail(this.sourceError.message));
      }
    }
  }
}

/**
 * `part`'s data, opened ahead of its turn, its first chunk asked for. An open
 * that throws (a stream the archive lacks), or a first chunk that fails, is
 * met in that COPY's turn and names its table, not the one being sent meanwhile.
 */
function openedNow(part: CopyInPart): OpenedSource {
  let source: OpenedSource;
  try {
    source = opened(part.open());
  } catch (err) {
    const failed = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    failed.catch(() => {});
    return { chunks: { next: () => failed }, first: failed };
  }
  source.first = source.chunks.next();
  source.first.catch(() => {}); // awaited in its turn
  return source;
}

/** `source` opened for reading its chunks in order. */
function opened(source: CopyInSource): OpenedSource {
  const chunks = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  return source instanceof Readable ? { chunks, stream: source } : { chunks };
}

/**
 * Stops reading `source`. A stream is destroyed at once, as before (a pending
 * read of it then ends); a generator's `return` runs once its pending chunk is
 * in, and ends it there.
 */
function stop(source: OpenedSource | undefined): void {
  if (source?.stream) source.stream.destroy();
  else source?.chunks.return?.().catch(() => {});
}

/**
 * Sends `source` as CopyData messages, each chunk as it is (no copy), then
 * CopyDone, waiting for the socket to drain when it is full. Stops sending as
 * soon as `stopped()` (the server failed); a failure of the source is thrown.
 */
async function sendCopyData(
  socket: Socket,
  source: OpenedSource,
  hooks: { stopped(): boolean; onChunkDone(chunk: Buffer): void; onSent(bytes: number): void },
): Promise<void> {
  for (let read = source.first ?? source.chunks.next(); ; read = source.chunks.next()) {
    const { done, value } = await read;
    if (done) break;
    if (hooks.stopped()) return;
    const data = value as Buffer;
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
function copyFail(message: string): Buffer {
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
