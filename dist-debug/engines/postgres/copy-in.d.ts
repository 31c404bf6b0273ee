import type { Readable } from 'node:stream';
import type pg from 'pg';
export declare class CopyIn implements pg.Submittable {
    readonly text: string;
    private readonly source;
    private readonly onChunkDone;
    /** Rows the server reports it loaded (set when the COPY completes). */
    rowCount: number;
    /** Bytes handed to the socket so far. */
    bytes: number;
    private connection;
    private failure;
    /** An error of our own side (the source), reported instead of the server's answer to CopyFail. */
    private sourceError;
    private serverError;
    /** Resolves with the row count once the server has taken the COPY; rejects on any failure. */
    readonly done: Promise<number>;
    private finish;
    /**
     * @param text the COPY ... FROM STDIN statement
     * @param source the data, as COPY expects it
     * @param onChunkDone called with each chunk once the socket no longer needs it
     */
    constructor(text: string, source: Readable, onChunkDone?: (chunk: Buffer) => void);
    submit(connection: pg.Connection): void;
    handleCopyInResponse(): void;
    handleCommandComplete(msg: {
        text?: string;
    }): void;
    handleError(err: Error): void;
    handleReadyForQuery(): void;
    private settle;
    private pump;
}
