import { type S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from '../archive/byte-source.js';
export interface S3SourceOptions {
    /**
     * The caller reads front to back (a verification scan): small reads are
     * served from 8 MiB read-ahead blocks instead of one GET each.
     */
    sequential?: boolean;
    /** Destroy the client on close (the source owns it). */
    ownsClient?: boolean;
}
/**
 * Random access to an archive in S3 through ranged GETs, so reading a
 * manifest costs three small requests (header, trailer, footer) whatever the
 * archive's size, and restoring one table fetches only its frames.
 */
export declare class S3Source implements ByteSource {
    private readonly client;
    private readonly bucket;
    private readonly key;
    readonly size: number;
    readonly location: string;
    private readonly options;
    /** The object version read first: later reads fail rather than mix two versions of an overwritten key. */
    private readonly etag;
    private block;
    private constructor();
    static open(client: S3Client, bucket: string, key: string, location: string, options?: S3SourceOptions): Promise<S3Source>;
    read(offset: number, length: number): Promise<Buffer>;
    private get;
    close(): Promise<void>;
}
