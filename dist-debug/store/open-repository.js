import { basename, dirname, resolve } from 'node:path';
import { LocalRepository } from './local-repository.js';
import { formatS3Url, isS3Url, splitS3ArchiveUrl } from './s3-location.js';
/**
 * Opens a repository: `s3://bucket/prefix` or a local folder. The caller closes
 * it. The AWS SDK is loaded only for S3: it costs some 20 MiB of memory that a
 * backup to a local folder should not carry.
 */
export async function openRepository(url, options = {}) {
    if (isS3Url(url)) {
        const [{ S3Repository }, { s3OptionsFromEnv }] = await Promise.all([
            import('./s3-repository.js'),
            import('./s3-client.js'),
        ]);
        return new S3Repository(url, { ...s3OptionsFromEnv(), ...options.s3 });
    }
    return new LocalRepository(url);
}
/**
 * Resolves an archive reference (`path/to/NAME.stow` or
 * `s3://bucket/prefix/NAME.stow`) into the repository that holds it and its
 * name, so side files (verification results) go next to it wherever it is.
 */
export async function resolveArchiveRef(ref, options = {}) {
    if (isS3Url(ref)) {
        const { repository, name } = splitS3ArchiveUrl(ref);
        return { repository: await openRepository(formatS3Url(repository), options), name };
    }
    return { repository: new LocalRepository(dirname(ref)), name: basename(ref) };
}
/** The repository that holds an archive reference, as a URL or folder, without opening it. */
export function repositoryUrlOf(ref) {
    return isS3Url(ref) ? formatS3Url(splitS3ArchiveUrl(ref).repository) : resolve(dirname(ref));
}
/** True when `ref` names a single archive file rather than a repository. */
export function looksLikeArchive(ref) {
    return ref.endsWith('.stow');
}
//# sourceMappingURL=open-repository.js.map