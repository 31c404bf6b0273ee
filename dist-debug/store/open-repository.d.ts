import type { Repository } from './repository.js';
import type { S3Options } from './s3-client.js';
/** Options for reaching a repository; only S3 has any. */
export interface RepositoryOptions {
    /** S3 settings; merged over `STOWAGE_S3_*` environment variables. */
    s3?: S3Options;
}
/**
 * Opens a repository: `s3://bucket/prefix` or a local folder. The caller closes
 * it. The AWS SDK is loaded only for S3: it costs some 20 MiB of memory that a
 * backup to a local folder should not carry.
 */
export declare function openRepository(url: string, options?: RepositoryOptions): Promise<Repository>;
/** An archive reference resolved into its repository and its name there. */
export interface ArchiveRef {
    repository: Repository;
    name: string;
}
/**
 * Resolves an archive reference (`path/to/NAME.stow` or
 * `s3://bucket/prefix/NAME.stow`) into the repository that holds it and its
 * name, so side files (verification results) go next to it wherever it is.
 */
export declare function resolveArchiveRef(ref: string, options?: RepositoryOptions): Promise<ArchiveRef>;
/** The repository that holds an archive reference, as a URL or folder, without opening it. */
export declare function repositoryUrlOf(ref: string): string;
/** True when `ref` names a single archive file rather than a repository. */
export declare function looksLikeArchive(ref: string): boolean;
