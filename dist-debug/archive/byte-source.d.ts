/**
 * Random access to a finished archive. Stores implement it (a local file,
 * ranged GETs on S3). The reader uses it to read the trailer, the footer, and
 * individual frames without touching the rest of the file.
 */
export interface ByteSource {
    /** Total size in bytes. */
    readonly size: number;
    /** Reads exactly `length` bytes at `offset`, or fewer only at end of file. */
    read(offset: number, length: number): Promise<Buffer>;
    close(): Promise<void>;
    /** Where the archive is, for messages (no credentials). */
    readonly location: string;
}
