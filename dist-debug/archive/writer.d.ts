import type { EngineStreamWriter, StreamWriterSet } from '../engines/engine.js';
import type { ByteSink } from './byte-sink.js';
import { type CompressionLevel } from './frame-codec.js';
import { type KeySource } from './keys.js';
import { type Manifest, type ManifestInput } from './manifest.js';
import { type DigestAlgorithm } from './stream-digest.js';
export interface ArchiveWriterOptions {
    /** zstd level 1–19 or 'none'. Default {@link DEFAULT_COMPRESSION}. */
    compression?: CompressionLevel;
    /** Encrypt every frame and the footer with AES-256-GCM. */
    encryption?: KeySource;
    /** Raw bytes per data frame (default 2 MiB). */
    frameSize?: number;
    /** Codec worker threads (default: defaultCodecThreads(level, busyCores); 0 = inline). */
    threads?: number;
    /** Cores that other work on this machine needs meanwhile, for the default thread count (see defaultCodecThreads). */
    busyCores?: number;
    /** Whole-stream digest (default: BLAKE3 where its hasher loads, else SHA-256; see stream-digest.ts). */
    digest?: DigestAlgorithm;
    /** scrypt cost for passphrases; lower only in tests. */
    scrypt?: {
        logN: number;
        r: number;
        p: number;
    };
}
export interface ArchiveResult {
    manifest: Manifest;
    /** Total archive size in bytes. */
    bytes: number;
    location: string;
}
/**
 * Writes a .stow archive front to back into a {@link ByteSink}. Engines write
 * into named streams obtained from {@link open}; each stream cuts its bytes
 * into frames that are compressed and encrypted on worker threads and appended
 * to the sink in submission order. A bounded number of frames are in flight,
 * which is where backpressure reaches the engine's streams.
 */
export declare class ArchiveWriter implements StreamWriterSet {
    private readonly sink;
    private readonly codec;
    private readonly frameSize;
    private readonly encrypted;
    private readonly digest;
    private readonly streams;
    private readonly queue;
    private readonly capacityWaiters;
    /** Raw frame buffers, filled by the streams and handed back by the codec. */
    private readonly rawBuffers;
    /** Buffers frames are built in, when the sink lets go of what it wrote (see takeOutputBuffer). */
    private readonly outputBuffers;
    private readonly maxInFlight;
    private offset;
    private ordinal;
    private draining;
    private failure;
    private state;
    private constructor();
    /** Writes the archive header and returns a writer ready for streams. */
    static create(sink: ByteSink, options?: ArchiveWriterOptions): Promise<ArchiveWriter>;
    /** Where the archive goes, for messages. */
    get location(): string;
    /** Opens a named stream. Write raw bytes, set `itemCount`, then end it. */
    open(name: string): EngineStreamWriter;
    /**
     * An output buffer for a data frame, when the sink lets go of what it wrote
     * (see ByteSink.releasesChunks): with raw and output buffers both recycled,
     * a backup allocates nothing per frame and leaves the garbage collector
     * nothing to catch up on.
     */
    private takeOutputBuffer;
    private appendMany;
    private append;
    private openFrame;
    private flushData;
    private close;
    /** Queues a frame for encoding; waits while too many frames are in flight. */
    private submit;
    private drain;
    private throwIfFailed;
    private flushed;
    /**
     * Writes the footer (manifest and frame index) and trailer, and commits the
     * sink. Every opened stream must have ended.
     */
    finish(input: ManifestInput): Promise<ArchiveResult>;
    /** Discards the archive: the sink removes whatever was written. */
    abort(): Promise<void>;
}
