import type { Writable } from 'node:stream';
import type pg from 'pg';
import { StowageError } from '../../errors.js';
import { type ChunkHandler, feedOf, type PgConnection, type SocketFeed } from './socket-feed.js';

/**
 * `COPY ... TO STDOUT` written straight into a Writable, counting rows on the
 * way for free.
 *
 * It plugs into `pg` the way pg-copy-streams' `to()` does (a Submittable that
 * takes over the connection's socket until CopyDone, then hands the rest back
 * to `pg`), but handles the wire protocol itself because that is where the
 * time goes: the server sends one CopyData message per row (protocol docs:
 * "always one per row"), so for millions of small rows the per-message cost
 * is everything. Here each socket chunk is compacted in place (the 5-byte
 * message headers squeezed out with `copyWithin`) and written as one buffer;
 * no per-row allocation, no list of slices, and (with the backup socket's
 * reusable read buffers, socket-feed.ts) no allocation per read either.
 *
 * Counting rows is counting CopyData messages: one per row, plus, in binary
 * format, one for the end-of-data trailer (the file header travels with the
 * first row, or with the trailer when there are none). That also gives exact
 * live progress without parsing a single tuple.
 *
 * Backpressure: a chunk's buffer goes back to the socket only when the sink's
 * write callback fires, and the socket is not read while a few chunks are
 * out, so a slow archive makes the server wait instead of Node buffering.
 */

// Backend message types (PostgreSQL protocol, "Message Formats").
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'

export class CopyOut implements pg.Submittable {
  /** CopyData messages seen. */
  private messages = 0;
  /** Payload bytes seen. */
  bytes = 0;
  /** Last two payload bytes of the latest message, to check the binary trailer. */
  private lastTwo = 0;
  /** Row count from the server's CommandComplete, once it arrived. */
  commandRows: number | undefined;
  private feed: SocketFeed | undefined;
  private failed = false;
  /** Bytes still to come of the message being read, and its type. */
  private remaining = 0;
  private type = 0;
  /** The start of a chunk whose message header was cut off by the socket read. */
  private tail: Buffer | undefined;
  /** In a batch (copy-out-batch.ts): takes the bytes after this COPY's data instead of pg. */
  private handOff: ((rest: Buffer) => void) | undefined;

  /** Resolves once every byte is written and the sink has finished; rejects on any failure. */
  readonly done: Promise<void>;
  private resolveDone: () => void = () => {};
  private rejectDone: (err: Error) => void = () => {};
  /** Resolves once the server is ready for the next query (after CommandComplete, or after an error). */
  readonly settled: Promise<void>;
  private settle: () => void = () => {};

  /**
   * @param text the COPY statement
   * @param binary the statement uses FORMAT binary (one extra message: the trailer)
   * @param sink where the COPY data goes; ended after the last byte
   * @param onEnd called with the exact row count just before the sink is ended
   */
  constructor(
    readonly text: string,
    private readonly binary: boolean,
    private readonly sink: Writable,
    private readonly onEnd: (rows: number) => void = () => {},
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // Observed by whoever awaits it; this only keeps an early failure from being reported as unhandled.
    this.done.catch(() => {});
    this.settled = new Promise((resolve) => {
      this.settle = resolve;
    });
    sink.once('error', (err) => this.fail(err));
  }

  /** Rows so far (exact once the COPY has ended). */
  get rows(): number {
    return this.binary ? Math.max(0, this.messages - 1) : this.messages;
  }

  submit(connection: pg.Connection): void {
    const conn = connection as unknown as PgConnection;
    this.feed = feedOf(conn.stream);
    this.feed.start((chunk, release) => this.onChunk(chunk, release));
    conn.query(this.text);
  }

  /**
   * Reads this COPY's messages from chunks a {@link CopyOutBatch} hands it; the bytes after its
   * CopyDone (or from an ErrorResponse on) go to `handOff` instead of back to pg.
   */
  readFromBatch(handOff: (rest: Buffer) => void): ChunkHandler {
    this.handOff = handOff;
    return (chunk, release) => this.onChunk(chunk, release);
  }

  /** In a batch: the server's CommandComplete for this COPY arrived; the connection goes on with the next one. */
  completed(commandRows: number | undefined): void {
    this.commandRows = commandRows;
    this.settle();
  }

  private onChunk(input: Buffer, release: () => void): void {
    if (this.failed) {
      release();
      return;
    }
    let chunk = input;
    if (this.tail) {
      chunk = Buffer.concat([this.tail, input]);
      this.tail = undefined;
      release();
      release = () => {};
    }
    try {
      this.parse(chunk, release);
    } catch (err) {
      release();
      this.fail(err as Error);
    }
  }

  /**
   * Squeezes the message headers out of `chunk` and writes the COPY data it held.
   * This runs once per row of every table, so the loop keeps its state in locals and
   * does per-chunk bookkeeping (byte count, the trailer's last two bytes) after it.
   */
  private parse(chunk: Buffer, release: () => void): void {
    const len = chunk.length;
    let read = 0;
    let write = 0;
    let remaining = this.remaining;
    let type = this.type;
    let messages = this.messages;
    let stop: 'tail' | 'error' | 'done' | undefined;
    while (read < len) {
      if (remaining > 0) {
        // Inside a message: CopyData payload is kept, anything else (notices) skipped.
        const n = remaining < len - read ? remaining : len - read;
        if (type === COPY_DATA) {
          if (write !== read) chunk.copyWithin(write, read, read + n);
          write += n;
        }
        read += n;
        remaining -= n;
        continue;
      }
      if (len - read < 5) {
        stop = 'tail';
        break;
      }
      type = chunk[read] as number;
      if (type === ERROR_RESPONSE) {
        stop = 'error';
        break;
      }
      remaining =
        ((((chunk[read + 1] as number) << 24) |
          ((chunk[read + 2] as number) << 16) |
          ((chunk[read + 3] as number) << 8) |
          (chunk[read + 4] as number)) >>>
          0) -
        4;
      read += 5;
      if (type === COPY_DATA) messages++;
      else if (type === COPY_DONE) {
        stop = 'done';
        break;
      }
    }
    this.remaining = remaining;
    this.type = type;
    this.messages = messages;
    // The output is exactly the payload stream, so its last two bytes are the trailer's candidates.
    this.bytes += write;
    if (write >= 2) this.lastTwo = (chunk[write - 2] as number) * 256 + (chunk[write - 1] as number);
    else if (write === 1) this.lastTwo = ((this.lastTwo & 0xff) << 8) | (chunk[0] as number);
    switch (stop) {
      case 'tail':
        // A message header cut in two by the socket: keep its start for the next read.
        this.tail = Buffer.from(chunk.subarray(read));
        break;
      case 'error':
        // Let pg parse the error (it then calls handleError): hand back everything from here on.
        // What came before it is dropped: the COPY has failed.
        this.giveBack(chunk.subarray(read));
        release();
        return;
      case 'done':
        // pg takes the rest (CommandComplete, ReadyForQuery); the rest is copied, so the chunk can go.
        this.giveBack(chunk.subarray(read));
        this.emit(chunk, write, release);
        this.finish();
        return;
    }
    this.emit(chunk, write, release);
  }

  /** Writes the compacted start of a chunk; its buffer is released once the sink is done with it. */
  private emit(chunk: Buffer, length: number, release: () => void): void {
    if (length === 0) {
      release();
      return;
    }
    this.sink.write(chunk.subarray(0, length), (err) => {
      release();
      if (err) this.fail(err);
    });
  }

  private finish(): void {
    if (this.binary && this.lastTwo !== 0xffff) {
      this.fail(
        new StowageError(
          'pg-bad-copy-data',
          'the server ended COPY without the end-of-data marker',
          'run the backup again',
        ),
      );
      return;
    }
    this.onEnd(this.rows);
    this.sink.end(() => {
      if (!this.failed) this.resolveDone();
    });
  }

  /** Returns the socket to pg, `rest` first. Once only: pg may call back into us while it parses `rest`. */
  private giveBack(rest: Buffer): void {
    const handOff = this.handOff;
    this.handOff = undefined;
    if (handOff) {
      handOff(rest);
      return;
    }
    const feed = this.feed;
    this.feed = undefined;
    feed?.stop(rest);
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.rejectDone(err);
    if (!this.sink.destroyed) this.sink.destroy(err);
  }

  // pg calls these as the query proceeds.
  handleError(err: Error): void {
    // The server refused the COPY or the connection died; either way the socket is pg's again.
    this.giveBack(Buffer.alloc(0));
    this.fail(err);
    // No ReadyForQuery follows a dead connection; nothing may wait for one.
    this.settle();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.commandRows = copyRowCount(msg?.text);
  }

  handleReadyForQuery(): void {
    this.settle();
  }
}

/** The row count of a COPY's CommandComplete tag (`COPY 42`), or undefined for any other tag. */
export function copyRowCount(tag: string | undefined): number | undefined {
  const m = /^COPY (\d+)/.exec(tag ?? '');
  return m ? Number(m[1]) : undefined;
}
