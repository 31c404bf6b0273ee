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
export const MIN_BSON_DOCUMENT = 5;

/**
 * Refuse lengths above this as corruption rather than trying to buffer them.
 * MongoDB's own ceiling is 16 MiB for user documents and 16 MiB + 16 KiB for
 * internal ones; 64 MiB leaves room for servers configured higher while still
 * stopping a garbage prefix from making us allocate gigabytes.
 */
export const MAX_BSON_DOCUMENT = 64 * 1024 * 1024;

/** Options of {@link splitBson}. */
export interface SplitBsonOptions {
  /** The stream's name, for error messages. */
  streamName: string;
  /** Upper bound of one document; defaults to {@link MAX_BSON_DOCUMENT}. */
  maxDocumentBytes?: number;
}

/** A stream that is not a sequence of well-formed BSON documents. */
export class BsonStreamError extends StowageError {
  constructor(
    readonly streamName: string,
    readonly offset: number,
    detail: string,
  ) {
    super(
      'bson-stream',
      `stream ${streamName} is not valid BSON at byte ${offset}: ${detail}`,
      'the archive is damaged or was not written by the MongoDB engine; restore from another backup',
    );
    this.name = 'BsonStreamError';
  }
}

/**
 * Yields each document of a raw BSON stream as its own Buffer, in order.
 *
 * Documents that lie inside one incoming chunk are returned as zero-copy
 * views of that chunk; only documents that straddle chunk boundaries are
 * copied once into a fresh buffer. Memory therefore stays at about one chunk
 * plus one document.
 */
export async function* splitBson(source: AsyncIterable<Uint8Array> | Readable, options: SplitBsonOptions) {
  for await (const run of splitBsonRuns(source, options)) yield* run;
}

/**
 * {@link splitBson}, a run of documents at a time: the documents completed by
 * each incoming chunk, in order. A restore loads hundreds of thousands of
 * documents; resuming an async generator for each of them costs more client
 * CPU than the copy into the insert batch, a run costs one resume per chunk.
 * A damaged stream yields the documents before the damage, then throws.
 */
export async function* splitBsonRuns(
  source: AsyncIterable<Uint8Array> | Readable,
  options: SplitBsonOptions,
): AsyncGenerator<Buffer[]> {
  const max = options.maxDocumentBytes ?? MAX_BSON_DOCUMENT;
  // A partially received document: `pending` holds its first `pendingFill` bytes.
  let pending: Buffer | null = null;
  let pendingFill = 0;
  // Bytes of a length prefix split across chunks (fewer than 4 seen so far).
  let prefix = Buffer.alloc(0);
  let offset = 0; // stream offset of the current document's first byte

  const checkLength = (length: number, at: number) => {
    if (length < MIN_BSON_DOCUMENT) {
      throw new BsonStreamError(
        options.streamName,
        at,
        `document length ${length} is below the minimum of 5`,
      );
    }
    if (length > max) {
      throw new BsonStreamError(
        options.streamName,
        at,
        `document length ${length} exceeds the limit of ${max}`,
      );
    }
  };
  const checkTerminator = (doc: Uint8Array, at: number) => {
    if (doc[doc.length - 1] !== 0) {
      throw new BsonStreamError(options.streamName, at, 'document does not end with a NUL byte');
    }
  };

  for await (const input of source as AsyncIterable<Uint8Array>) {
    const chunk = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    let pos = 0;
    const run: Buffer[] = [];
    try {
      while (pos < chunk.length) {
        if (pending) {
          // Continue a straddling document.
          const take = Math.min(pending.length - pendingFill, chunk.length - pos);
          chunk.copy(pending, pendingFill, pos, pos + take);
          pendingFill += take;
          pos += take;
          if (pendingFill === pending.length) {
            checkTerminator(pending, offset);
            const doc = pending;
            pending = null;
            offset += doc.length;
            run.push(doc);
          }
          continue;
        }

        if (prefix.length > 0 || chunk.length - pos < 4) {
          // The length prefix itself straddles chunks: gather its four bytes.
          const need = 4 - prefix.length;
          const take = Math.min(need, chunk.length - pos);
          prefix = Buffer.concat([prefix, chunk.subarray(pos, pos + take)]);
          pos += take;
          if (prefix.length < 4) break;
          const length = prefix.readInt32LE(0);
          checkLength(length, offset);
          pending = Buffer.allocUnsafe(length);
          prefix.copy(pending, 0);
          pendingFill = 4;
          prefix = Buffer.alloc(0);
          continue;
        }

        const length = chunk.readInt32LE(pos);
        checkLength(length, offset);
        if (chunk.length - pos >= length) {
          const doc = chunk.subarray(pos, pos + length);
          checkTerminator(doc, offset);
          pos += length;
          offset += length;
          run.push(doc);
        } else {
          pending = Buffer.allocUnsafe(length);
          pendingFill = chunk.copy(pending, 0, pos);
          pos = chunk.length;
        }
      }
    } catch (error) {
      if (run.length > 0) yield run;
      throw error;
    }
    if (run.length > 0) yield run;
  }

  if (pending || prefix.length > 0) {
    const have = pending ? pendingFill : prefix.length;
    const want = pending ? pending.length : 4;
    throw new BsonStreamError(
      options.streamName,
      offset,
      `stream ends inside a document (${have} of ${want} bytes present)`,
    );
  }
}
