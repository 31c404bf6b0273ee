import { basename, dirname, resolve } from 'node:path';
import { LocalRepository } from './local/local-repository.js';
import type { Repository } from './repository.js';
import type { S3Options } from './s3/s3-client.js';
import { formatS3Url, isS3Url, splitS3ArchiveUrl } from './s3/s3-location.js';

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
export async function openRepository(url: string, options: RepositoryOptions = {}): Promise<Repository> {
  if (isS3Url(url)) {
    const [{ S3Repository }, { s3OptionsFromEnv }] = await Promise.all([
      import('./s3/s3-repository.js'),
      import('./s3/s3-client.js'),
    ]);
    return new S3Repository(url, { ...s3OptionsFromEnv(), ...options.s3 });
  }
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
export async function resolveArchiveRef(ref: string, options: RepositoryOptions = {}): Promise<ArchiveRef> {
  if (isS3Url(ref)) {
    const { repository, name } = splitS3ArchiveUrl(ref);
    return { repository: await openRepository(formatS3Url(repository), options), name };
  }
  return { repository: new LocalRepository(dirname(ref)), name: basename(ref) };
}

/** The repository that holds an archive reference, as a URL or folder, without opening it. */
export function repositoryUrlOf(ref: string): string {
  return isS3Url(ref) ? formatS3Url(splitS3ArchiveUrl(ref).repository) : resolve(dirname(ref));
}

/** True when `ref` names a single archive file rather than a repository. */
export function looksLikeArchive(ref: string): boolean {
  return ref.endsWith('.stow');
}
