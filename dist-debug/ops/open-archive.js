import { ArchiveReader } from '../archive/reader.js';
import { openArchiveSource } from '../store/destination.js';
/** Opens an archive (local path or `s3://bucket/prefix/NAME.stow`) for reading; the caller closes the reader. */
export async function openArchive(path, options = {}) {
    const source = await openArchiveSource(path, { s3: options.s3 });
    return ArchiveReader.open(source, {
        encryption: options.encryption,
        threads: options.threads,
        ...(options.prefetch ? { prefetch: options.prefetch } : {}),
    });
}
//# sourceMappingURL=open-archive.js.map