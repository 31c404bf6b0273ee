import type { Readable } from 'node:stream';
import type pg from 'pg';
import { copyFail, sendCopyData } from './copy-in.js';
import type { PgConnection } from './socket-feed.js';

/** One `COPY ... FROM STDIN` of a {@link CopyInBatch}, its data opened only when its turn comes. */
export interface CopyInPart {
  text: string;
  open(): Readable;
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
 * Several `COPY ... FROM STDIN` statements sent as one simple query, each
 * one's data sent right after the one before without waiting for the server.
 *
 * With thousands of small tables a load costs two round trips per table (the
 * query, answered by CopyInResponse; the data, answered by CommandComplete and
 * ReadyForQuery) for a few kilobytes of rows. The server runs the statements
 * of one query in turn and reads each COPY's data from the socket in order, so
 * the whole batch goes out in one stream: its data is already waiting when the
 * server reaches each COPY. Each COPY's row count comes back in its own
 * CommandComplete.
 *
 * A failing COPY (refused data, or a source that fails: CopyFail) ends the
 * query: the server skips the statements after it and ignores whatever copy
 * data of theirs was already sent, and nothing more is sent. Inside a
 * transaction block the COPYs before it are rolled back with it.
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
  private sourceError: Error | undefined;
  private serverError: Error | undefined;
  private source: Readable | undefined;
  private finish: (err?: Error) => void = () => {};

  /**
   * @param parts the COPYs, in order
   * @param onChunkDone called with each chunk once the socket no longer needs it
   */
  constructor(
    private readonly parts: CopyInPart[],
    private readonly onChunkDone: (chunk: Buffer) => void = () => {},
  ) {
    this.text = parts.map((p) => p.text).join(';\n');
    this.bytes = parts.map(() => 0);
    this.done = new Promise((resolve, reject) => {
      this.finish = (err) => {
        if (err) reject(new CopyInBatchError(err, Math.min(this.rowCounts.length, parts.length - 1)));
        else resolve(this.rowCounts);
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
    this.serverError ??= err;
    this.failure ??= err;
    this.source?.destroy();
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
        this.source = (this.parts[i] as CopyInPart).open();
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
        this.failure = this.sourceError;
        // The server is in this COPY (or will be once it reaches it): CopyFail ends it, and the query.
        if (!socket.destroyed) socket.write(copyFail(this.sourceError.message));
      }
    }
  }
}
