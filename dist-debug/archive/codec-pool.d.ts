import type { FrameHeader } from './format.js';
import { type CompressionLevel, type DecodeProblem, type FrameIdentity } from './frame-codec.js';
/**
 * Runs frame compression/encryption on worker threads so the main thread stays
 * free to move bytes between the database and the store. With zero threads
 * everything runs inline (used for tiny frames and where workers are unwanted).
 */
export interface FrameCodec {
    /** `out`: a buffer of frameCapacity() bytes to build the frame in (see encodeFrame); it comes back as the frame's buffer. */
    encode(ident: FrameIdentity, raw: Uint8Array, out?: Buffer): Promise<EncodedFrame>;
    /** `out`: a buffer to decompress into when large enough (see decodeFrame). */
    decode(header: FrameHeader, stored: Uint8Array, crc: number, out?: Buffer): Promise<Buffer | DecodeProblem>;
    close(): Promise<void>;
}
/**
 * An encoded frame, and the raw buffer it was made from, handed back so the
 * writer can fill it again: recycling frame buffers keeps memory flat instead of
 * leaving a trail of 2 MiB buffers for the garbage collector.
 */
export interface EncodedFrame {
    frame: Buffer;
    spare: Uint8Array;
}
/**
 * Codec threads when the caller names none.
 *
 * Handing a frame to a worker is not free: a message each way and a thread
 * woken on another core. Measured on a 2-core VM, a level-1 PostgreSQL backup
 * spent about 0.35 CPU-s more with one codec thread than compressing inline
 * (2.1 against 1.75 CPU-s for 614 MB), because the server it read from ran on
 * the same two cores. So cheap levels (3 or less, or none) get only the cores
 * nobody else needs: one is the main thread's (it reads the database and
 * hashes every byte) and `busyCores` are taken by other work on this machine,
 * such as the database server's own processes. Zero means inline. Heavier
 * levels are dominated by compression and get every core. At most 8 either way.
 *
 * @param busyCores cores other processes on this machine need while this runs (a local database server's backends)
 */
export declare function defaultCodecThreads(level?: CompressionLevel, busyCores?: number): number;
export declare function createFrameCodec(options: {
    threads?: number;
    level: CompressionLevel;
    key: Buffer | undefined;
}): FrameCodec;
