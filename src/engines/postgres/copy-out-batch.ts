import type pg from 'pg';
import { type CopyOut, copyRowCount } from './copy-out.js';
import { type ChunkHandler, feedOf, type PgConnection, type SocketFeed } from './socket-feed.js';

// Backend message types (PostgreSQL protocol, "Message Formats").
const COMMAND_COMPLETE = 0x43; // 'C'
const ERROR_RESPONSE = 0x45; // 'E'

/**
 * Several `COPY ... TO STDOUT` statements sent as one simple query, each read
 * by its own {@link CopyOut} into its own sink.
 *
 * With thousands of small tables, a query and a round trip per table is
 * where a backup's time goes: the data of a 50-row table is one socket read,
 * but its COPY costs a write, a wake-up of the server and a wait for the
 * answer. The server runs the statements of one query in turn and answers
 * each COPY with its CopyOutResponse, data, CopyDone and CommandComplete, so
 * one round trip carries a whole batch. Between two COPYs this reads the
 * CommandComplete (the finished COPY's row count, which its reader checks)
 * and hands the following bytes to the next reader; after the last COPY the
 * socket goes back to pg for the final CommandComplete and ReadyForQuery.
 *
 * A failing statement ends the query (the server skips the rest): that COPY
 * and every one after it fail with the server's error.
 */
export class CopyOutBatch implements pg.Submittable {
  readonly text: string;
  private feed: SocketFeed | undefined;
  private current = 0;
  /** Bytes after the current COPY's data, when its reader handed them back. */
  private handedBack: Buffer | undefined;
  /** Between two COPYs: the start of a message cut off by a socket read. */
  private tail: Buffer | undefined;
  private readonly readers: ChunkHandler[];

  constructor(private readonly copies: CopyOut[]) {
    this.text = copies.map((c) => c.text).join(';\n');
    this.readers = copies.map((c) =>
      c.readFromBatch((rest) => {
        this.handedBack = rest;
      }),
    );
  }

  submit(connection: pg.Connection): void {
    const conn = connection as unknown as PgConnection;
    this.feed = feedOf(conn.stream);
    this.feed.start((chunk, release) => this.onChunk(chunk, release));
    conn.query(this.text);
  }

  /**
   * Hands a socket chunk to the readers it has bytes for. Readers write parts of
   * it into their sinks without copying, so the chunk goes back to the socket
   * only once every one of them released its part.
   */
  private onChunk(chunk: Buffer, release: () => void): void {
    let holders = 1;
    const drop = () => {
      if (--holders === 0) release();
    };
    const part = () => {
      holders++;
      let dropped = false;
      return () => {
        if (dropped) return;
        dropped = true;
        drop();
      };
    };
    let bytes: Buffer | undefined = chunk;
    while (bytes?.length) {
      if (this.handedBack === undefined && this.tail === undefined) {
        this.readers[this.current]?.(bytes, part());
        bytes = this.handedBack;
        if (bytes === undefined) break;
        continue;
      }
      bytes = this.between(bytes);
    }
    drop();
  }

  /**
   * After a COPY's data: reads its CommandComplete and returns what follows, for
   * the next COPY's reader; or gives the rest to pg (an error, or the last COPY).
   */
  private between(input: Buffer): Buffer | undefined {
    let bytes = input;
    if (this.tail) {
      bytes = Buffer.concat([this.tail, input]);
      this.tail = undefined;
    }
    this.handedBack = undefined;
    const last = this.current === this.copies.length - 1;
    let at = 0;
    for (;;) {
      if (bytes.length - at < 5) break;
      const type = bytes[at] as number;
      const length = bytes.readUInt32BE(at + 1);
      if (type === ERROR_RESPONSE || (type === COMMAND_COMPLETE && last)) {
        // pg reads the error (and calls handleError) or the last COPY's tag and ReadyForQuery.
        this.giveBack(bytes.subarray(at));
        return undefined;
      }
      if (bytes.length - at < 1 + length) break;
      if (type === COMMAND_COMPLETE) {
        // The tag is a NUL-terminated string.
        const tag = bytes.toString('latin1', at + 5, at + length);
        this.copies[this.current]?.completed(copyRowCount(tag));
        this.current++;
        return bytes.subarray(at + 1 + length);
      }
      // A notice or parameter status between two statements: not ours to keep.
      at += 1 + length;
    }
    // Wait for the rest of a message cut in two by the socket read: remember we are between COPYs.
    this.tail = Buffer.from(bytes.subarray(at));
    return undefined;
  }

  private giveBack(rest: Buffer): void {
    const feed = this.feed;
    this.feed = undefined;
    feed?.stop(rest);
  }

  // pg calls these once the socket is its own again.
  handleError(err: Error): void {
    this.giveBack(Buffer.alloc(0));
    for (const copy of this.copies.slice(this.current)) copy.handleError(err);
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.copies[this.current]?.completed(copyRowCount(msg?.text));
  }

  handleReadyForQuery(): void {
    for (const copy of this.copies) copy.handleReadyForQuery();
  }
}
