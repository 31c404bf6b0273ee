import { openStoreRepository, type StoreOptions, storeFor } from './registry.js';
import type { Repository } from './repository.js';

/** Options for reaching a repository. */
export interface RepositoryOptions {
  /** Settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
}

/**
 * Opens a repository: a local folder, `s3://bucket/prefix`, or any address a
 * registered store serves (see `registry.ts`). The caller closes it.
 */
export async function openRepository(url: string, options: RepositoryOptions = {}): Promise<Repository> {
  return openStoreRepository(url, options.stores);
}

/** An archive reference resolved into its repository and its name there. */
export interface ArchiveRef {
  repository: Repository;
  name: string;
}

/**
 * Resolves an archive reference (`path/to/NAME.stow`,
 * `s3://bucket/prefix/NAME.stow`…) into the repository that holds it and its
 * name, so side files (verification results) go next to it wherever it is.
 */
export async function resolveArchiveRef(ref: string, options: RepositoryOptions = {}): Promise<ArchiveRef> {
  const { repository, name } = storeFor(ref).splitArchiveRef(ref);
  return { repository: await openRepository(repository, options), name };
}

/** The repository that holds an archive reference, as a URL or folder, without opening it. */
export function repositoryUrlOf(ref: string): string {
  const store = storeFor(ref);
  return store.canonicalUrl(store.splitArchiveRef(ref).repository);
}

/** True when `ref` names a single archive file rather than a repository. */
export function looksLikeArchive(ref: string): boolean {
  return ref.endsWith('.stow');
}
