import { type S3Client } from '@aws-sdk/client-s3';
import type { ByteSink } from '../archive/byte-sink.js';
import type { ByteSource } from '../archive/byte-source.js';
import type { Repository, RepositoryFile } from './repository.js';
import { type S3Options } from './s3-client.js';
/**
 * A repository under an S3 bucket prefix (`s3://bucket/prefix`). Archives
 * are uploaded as multipart uploads and read with ranged GETs; side files are
 * small whole-object PUTs. Locks use conditional PUTs (`If-None-Match: *`),
 * which AWS S3 and current MinIO honour.
 */
export declare class S3Repository implements Repository {
    private readonly options;
    readonly kind = "s3";
    readonly url: string;
    private readonly location;
    private readonly client;
    constructor(url: string, options?: S3Options, client?: S3Client);
    listFiles(folder?: string): Promise<RepositoryFile[]>;
    createArchive(name: string): Promise<ByteSink>;
    openArchive(name: string, options?: {
        sequential?: boolean;
    }): Promise<ByteSource>;
    readText(name: string): Promise<string | undefined>;
    writeText(name: string, text: string): Promise<void>;
    /** One PUT for every side file, so each gets the repository's server-side encryption settings. */
    private putText;
    createText(name: string, text: string): Promise<boolean>;
    remove(name: string): Promise<void>;
    freeSpace(): Promise<undefined>;
    checkWritable(): Promise<void>;
    locate(name: string): string;
    close(): Promise<void>;
}
