import { Readable } from 'node:stream';
import type { StreamReaderSet, StreamSummary } from '../engines/engine.js';
import type { ByteSource } from './byte-source.js';
import { type Header } from './format.js';
import type { KeySource } from './keys.js';
import { type Manifest } from './manifest.js';
export interface ArchiveReaderOptions {
    encryption?: KeySource;
    /**
     * Codec worker threads for decrypting encrypted archives (default: one per
     * core, 0 = inline). Unencrypted frames are always decompressed inline:
     * measured here, worker hops made reading slower and costlier in memory.
     */
    threads?: number;
    /** Frames read ahead per open stream. */
    prefetch?: number;
}
export declare class ArchiveReader implements StreamReaderSet {
    private readonly source;
    readonly header: Header;
    private readonly key;
    private readonly footer;
    private readonly options;
    private codec;
    /** Raw frame buffers handed back by the consumer (see recycle()); sized by the largest frame seen. */
    private readonly rawBuffers;
    private constructor();
    /**
     * Opens an archive: header, key check, trailer, footer. When the tail is
     * missing or damaged, scans from the front to say exactly which streams are
     * incomplete.
     */
    static open(source: ByteSource, options?: ArchiveReaderOptions): Promise<ArchiveReader>;
    private static openOwned;
    get manifest(): Manifest;
    get location(): string;
    list(): StreamSummary[];
    /**
     * Takes back a chunk that a stream handed out, once the consumer is done
     * with it for good, so the next frame is decompressed into it instead of a
     * new buffer: a restore that hands every chunk back allocates nothing per
     * frame. Chunks that are not whole frame buffers are ignored.
     */
    recycle(chunk: Buffer): void;
    /** A buffer for a frame of `rawLength` bytes: a recycled one, or a new one of the common frame size. */
    private rawBuffer;
    /** Opens one stream's raw bytes. The readable errors on the first frame that does not verify. */
    open(name: string): Readable;
    private frames;
    private readDataFrame;
    close(): Promise<void>;
}
