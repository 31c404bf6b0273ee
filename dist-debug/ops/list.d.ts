import type { KeySource } from '../archive/keys.js';
import { type ArchiveInfo } from '../catalog/list.js';
import type { S3Options } from '../store/s3-client.js';
export interface ListOptions {
    /** A local folder or `s3://bucket/prefix`. */
    repository: string;
    /** Only this database's archives. */
    database?: string;
    /** Key to read encrypted manifests; without it they are listed from their names. */
    encryption?: KeySource;
    s3?: S3Options;
}
/**
 * Lists a repository's archives, oldest first, with what each manifest says
 * (engine, database, kind, size, duration, note) and the latest verification
 * result. Reads only each archive's tail.
 */
export declare function list(options: ListOptions): Promise<ArchiveInfo[]>;
