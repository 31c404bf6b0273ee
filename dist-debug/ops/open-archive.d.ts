import type { KeySource } from '../archive/keys.js';
import { ArchiveReader } from '../archive/reader.js';
import type { S3Options } from '../store/s3-client.js';
/** Opens an archive (local path or `s3://bucket/prefix/NAME.stow`) for reading; the caller closes the reader. */
export declare function openArchive(path: string, options?: {
    encryption?: KeySource;
    threads?: number;
    s3?: S3Options;
    prefetch?: number;
}): Promise<ArchiveReader>;
