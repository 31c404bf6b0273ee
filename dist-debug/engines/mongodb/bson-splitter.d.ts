import type { Readable } from 'node:stream';
import { StowageError } from '../../errors.js';
/**
 * Cuts a byte stream of concatenated BSON documents back into documents.
 *
 * Every BSON document starts with its own int32 little-endian length (which
 * counts the four length bytes and the trailing NUL), so the stream needs no
 * extra framing: reading the prefix tells where the document ends. Documents
 * are handed out as the exact bytes that went in — never deserialized — which
 * is what makes a restore byte-for-byte faithful.
 */
/** Smallest valid BSON document: length prefix plus the terminating NUL (`{}`). */
export declare const MIN_BSON_DOCUMENT = 5;
/**
 * Refuse lengths above this as corruption rather than trying to buffer them.
 * MongoDB's own ceiling is 16 MiB for user documents and 16 MiB + 16 KiB for
 * internal ones; 64 MiB leaves room for servers configured higher while still
 * stopping a garbage prefix from making us allocate gigabytes.
 */
export declare const MAX_BSON_DOCUMENT: number;
/** Options of {@link splitBson}. */
export interface SplitBsonOptions {
    /** The stream's name, for error messages. */
    streamName: string;
    /** Upper bound of one document; defaults to {@link MAX_BSON_DOCUMENT}. */
    maxDocumentBytes?: number;
}
/** A stream that is not a sequence of well-formed BSON documents. */
export declare class BsonStreamError extends StowageError {
    readonly streamName: string;
    readonly offset: number;
    constructor(streamName: string, offset: number, detail: string);
}
/**
 * Yields each document of a raw BSON stream as its own Buffer, in order.
 *
 * Documents that lie inside one incoming chunk are returned as zero-copy
 * views of that chunk; only documents that straddle chunk boundaries are
 * copied once into a fresh buffer. Memory therefore stays at about one chunk
 * plus one document.
 */
export declare function splitBson(source: AsyncIterable<Uint8Array> | Readable, options: SplitBsonOptions): AsyncGenerator<Buffer<ArrayBufferLike>, void, unknown>;
