import { basename, dirname } from 'node:path';
import { LocalRepository } from './local-repository.js';
import type { Repository } from './repository.js';
import { type S3Options, s3OptionsFromEnv } from './s3-client.js';
import { formatS3Url, isS3Url, splitS3ArchiveUrl } from './s3-location.js';
import { S3Repository } from './s3-repository.js';

/** Options for reaching a repository; only S3 has any. */
export interface RepositoryOptions {
  /** S3 settings; merged over `STOWAGE_S3_*` environment variables. */
  s3?: S3Options;
}

/** Opens a repository: `s3://bucket/prefix` or a local folder. The caller closes it. */
export function openRepository(url: string, options: RepositoryOptions = {}): Repository {
  if (isS3Url(url)) return new S3Repository(url, { ...s3OptionsFromEnv(), ...options.s3 });
  return new LocalRepository(url);
}

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
export function resolveArchiveRef(ref: string, options: RepositoryOptions = {}): ArchiveRef {
  if (isS3Url(ref)) {
    const { repository, name } = splitS3ArchiveUrl(ref);
    return { repository: openRepository(formatS3Url(repository), options), name };
  }
  return { repository: new LocalRepository(dirname(ref)), name: basename(ref) };
}

/** True when `ref` names a single archive file rather than a repository. */
export function looksLikeArchive(ref: string): boolean {
  return ref.endsWith('.stow');
}
