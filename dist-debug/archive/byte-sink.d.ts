/**
 * Where the archive writer puts bytes. Stores implement it (a local file, an S3
 * multipart upload, stdout). Writes arrive strictly front to back: the format
 * never seeks, so any append-only destination works.
 */
export interface ByteSink {
    /** Appends bytes. The returned promise resolves when the sink can take more (backpressure). */
    write(chunk: Uint8Array): Promise<void>;
    /** Makes the archive durable and visible under its final name (fsync + rename, or complete the upload). */
    commit(): Promise<void>;
    /** Discards everything written; nothing that looks like a finished archive may remain. */
    abort(): Promise<void>;
    /**
     * True when the sink is done with a chunk once write() resolves (it wrote it
     * out, or copied it): the writer may then reuse the buffer for another frame.
     * Sinks that queue the chunk itself (a pipe into an upload) leave it unset.
     */
    readonly releasesChunks?: boolean;
    /** Where the finished archive will be, for messages (no credentials). */
    readonly location: string;
}
