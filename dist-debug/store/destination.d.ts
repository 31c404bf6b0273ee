import type { ByteSink } from '../archive/byte-sink.js';
import type { ByteSource } from '../archive/byte-source.js';
import { type RepositoryOptions } from './open-repository.js';
import type { Repository } from './repository.js';
/** Where a backup goes, resolved but not yet opened. */
export interface Destination {
    /** The repository that will hold the archive; undefined for stdout. The caller closes it. */
    repository?: Repository;
    /** The archive's name in the repository. */
    name?: string;
    /** True when `to` named a repository and the archive got a generated name (scheduled-style backups). */
    generated: boolean;
    /** Opens the sink the archive is written to. */
    open(): Promise<ByteSink>;
}
/**
 * Resolves a `--to` argument: `-` is stdout, a path ending in `.stow` (local
 * or `s3://…/NAME.stow`) is that archive, anything else is a repository
 * (local folder or `s3://bucket/prefix`) where the archive gets a generated
 * name.
 */
export declare function resolveDestination(to: string, generatedName: (sequence: number) => string, options?: RepositoryOptions): Promise<Destination>;
/** Opens an archive (local path or `s3://…/NAME.stow`) for random-access reading; closing the source releases everything. */
export declare function openArchiveSource(ref: string, options?: RepositoryOptions & {
    sequential?: boolean;
}): Promise<ByteSource>;
