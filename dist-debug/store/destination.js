import { stat } from 'node:fs/promises';
import { StowageError } from '../errors.js';
import { openRepository, resolveArchiveRef } from './open-repository.js';
import { isS3Url } from './s3-location.js';
import { StdoutSink } from './stdout-sink.js';
/**
 * Resolves a `--to` argument: `-` is stdout, a path ending in `.stow` (local
 * or `s3://…/NAME.stow`) is that archive, anything else is a repository
 * (local folder or `s3://bucket/prefix`) where the archive gets a generated
 * name.
 */
export async function resolveDestination(to, generatedName, options = {}) {
    if (to === '-')
        return { generated: false, open: async () => new StdoutSink() };
    if (to.endsWith('.stow') && (isS3Url(to) || !(await isDirectory(to)))) {
        const { repository, name } = await resolveArchiveRef(to, options);
        return { repository, name, generated: false, open: () => repository.createArchive(name) };
    }
    const repository = await openRepository(to, options);
    const destination = {
        repository,
        name: generatedName(1),
        generated: true,
        // Generated names carry the time to the second: a further backup of the same database within
        // the same second, finished or still running, gets the next sequence number instead of failing
        // with "already exists" or sharing the other one's file.
        async open() {
            for (let sequence = 1;; sequence++) {
                const name = generatedName(sequence);
                try {
                    const sink = await repository.createArchive(name, { exclusive: true });
                    destination.name = name;
                    return sink;
                }
                catch (err) {
                    if (sequence >= MAX_NAME_SEQUENCE || !(err instanceof StowageError) || err.code !== 'exists')
                        throw err;
                }
            }
        },
    };
    return destination;
}
/** Backups of one database in one second before a generated name gives up. */
const MAX_NAME_SEQUENCE = 99;
/** Opens an archive (local path or `s3://…/NAME.stow`) for random-access reading; closing the source releases everything. */
export async function openArchiveSource(ref, options = {}) {
    const { repository, name } = await resolveArchiveRef(ref, options);
    const source = await closeOnFailure(repository, repository.openArchive(name, { sequential: options.sequential }));
    return {
        get size() {
            return source.size;
        },
        location: source.location,
        read: (offset, length) => source.read(offset, length),
        async close() {
            await source.close();
            await repository.close();
        },
    };
}
async function closeOnFailure(repository, opening) {
    try {
        return await opening;
    }
    catch (err) {
        await repository.close();
        throw err;
    }
}
async function isDirectory(path) {
    return stat(path).then((s) => s.isDirectory(), () => false);
}
//# sourceMappingURL=destination.js.map