import { openArchive } from './open-archive.js';
/** Reads an archive's manifest from its tail, without reading any data frame. */
export async function inspect(archive, options = {}) {
    const reader = await openArchive(archive, { encryption: options.encryption, threads: 0, s3: options.s3 });
    try {
        return { archive, manifest: reader.manifest };
    }
    finally {
        await reader.close();
    }
}
//# sourceMappingURL=inspect.js.map