import type { Writable } from 'node:stream';
import { StowageError } from '../../errors.js';
/**
 * Writing to an engine stream with backpressure, and ending it cleanly.
 */
/** Thrown when the caller's AbortSignal fires. */
export declare class AbortedError extends StowageError {
    constructor(what: string);
}
/** Throws {@link AbortedError} if the signal has fired. */
export declare function throwIfAborted(signal: AbortSignal | undefined, what: string): void;
/**
 * Writes a chunk and, when the stream's buffer is full, waits for it to drain,
 * so a slow archive or store slows the database reads instead of filling memory.
 */
export declare function writeWithBackpressure(stream: Writable, chunk: Uint8Array, signal?: AbortSignal): Promise<void>;
/**
 * Writes several chunks as one batch (corked, so the stream receives them in
 * one `writev`) and then waits for the stream to drain if it is full. The
 * chunks are handed over as they are — no concatenated copy — which keeps the
 * garbage per batch, and so the process's peak memory, down.
 */
export declare function writeAllWithBackpressure(stream: Writable, chunks: readonly Uint8Array[], signal?: AbortSignal): Promise<void>;
/** Ends a stream and waits until everything written has been accepted downstream. */
export declare function endStream(stream: Writable): Promise<void>;
