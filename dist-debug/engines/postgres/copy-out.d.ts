import type { Writable } from 'node:stream';
import type pg from 'pg';
export declare class CopyOut implements pg.Submittable {
    readonly text: string;
    private readonly binary;
    private readonly sink;
    private readonly onEnd;
    /** CopyData messages seen. */
    private messages;
    /** Payload bytes seen. */
    bytes: number;
    /** Last two payload bytes of the latest message, to check the binary trailer. */
    private lastTwo;
    /** Row count from the server's CommandComplete, once it arrived. */
    commandRows: number | undefined;
    private feed;
    private failed;
    /** Bytes still to come of the message being read, and its type. */
    private remaining;
    private type;
    /** The start of a chunk whose message header was cut off by the socket read. */
    private tail;
    /** Resolves once every byte is written and the sink has finished; rejects on any failure. */
    readonly done: Promise<void>;
    private resolveDone;
    private rejectDone;
    /** Resolves once the server is ready for the next query (after CommandComplete, or after an error). */
    readonly settled: Promise<void>;
    private settle;
    /**
     * @param text the COPY statement
     * @param binary the statement uses FORMAT binary (one extra message: the trailer)
     * @param sink where the COPY data goes; ended after the last byte
     * @param onEnd called with the exact row count just before the sink is ended
     */
    constructor(text: string, binary: boolean, sink: Writable, onEnd?: (rows: number) => void);
    /** Rows so far (exact once the COPY has ended). */
    get rows(): number;
    submit(connection: pg.Connection): void;
    private onChunk;
    /**
     * Squeezes the message headers out of `chunk` and writes the COPY data it held.
     * This runs once per row of every table, so the loop keeps its state in locals and
     * does per-chunk bookkeeping (byte count, the trailer's last two bytes) after it.
     */
    private parse;
    /** Writes the compacted start of a chunk; its buffer is released once the sink is done with it. */
    private emit;
    private finish;
    /** Returns the socket to pg, `rest` first. Once only: pg may call back into us while it parses `rest`. */
    private giveBack;
    private fail;
    handleError(err: Error): void;
    handleCommandComplete(msg: {
        text?: string;
    }): void;
    handleReadyForQuery(): void;
}
