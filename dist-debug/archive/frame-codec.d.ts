import { type FrameHeader, type FrameType } from './format.js';
/**
 * Turning raw bytes into a stored frame and back: compress, encrypt, checksum.
 * Pure functions over buffers, so they run the same on the main thread and in
 * the codec worker threads.
 */
/** Compression level 1–19, or 'none' to store frames uncompressed. */
export type CompressionLevel = number | 'none';
/**
 * The writer's level when none is given: the fastest. Backups pick their level
 * per engine (`DEFAULT_COMPRESSION_BY_ENGINE` in ops/backup.ts), from measurements.
 */
export declare const DEFAULT_COMPRESSION: CompressionLevel;
export interface FrameIdentity {
    type: FrameType;
    streamId: number;
    ordinal: number;
    sequence: number;
}
/**
 * Size of an output buffer that holds any unencrypted frame of up to `rawLength`
 * raw bytes, compressed or not: the writer recycles buffers of this size.
 */
export declare function frameCapacity(rawLength: number): number;
/**
 * Builds a complete frame: header, stored payload, payload CRC.
 *
 * With `out` (at least {@link frameCapacity} bytes) and no key, the frame is
 * built inside `out` and returned as a view of it: zstd compresses straight
 * into place, and a writer that recycles `out` allocates nothing per frame.
 * Otherwise the frame gets a buffer of its own.
 */
export declare function encodeFrame(id: FrameIdentity, raw: Uint8Array, level: CompressionLevel, key: Buffer | undefined, out?: Buffer): Buffer;
export type DecodeProblem = 'checksum mismatch' | 'authentication failed' | 'decompression failed' | 'length mismatch';
/**
 * Recovers a frame's raw bytes from its stored payload and trailing CRC.
 * Returns a problem instead of bytes when anything does not check out: wrong
 * bytes are never returned. A compressed frame is decompressed into `out` when
 * it is large enough (the reader recycles such buffers), else into a new one.
 */
export declare function decodeFrame(header: FrameHeader, stored: Uint8Array, storedCrc: number, key: Buffer | undefined, out?: Buffer): Buffer | DecodeProblem;
