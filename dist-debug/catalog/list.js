import { ArchiveReader } from '../archive/reader.js';
import { KeyRequiredError, StowageError } from '../errors.js';
import { parseArchiveName, safeName } from './naming.js';
import { readVerificationRecord } from './verification-record.js';
/**
 * Lists the archives in a repository, oldest first, reading each one's
 * manifest from its tail and its verification record. Files that are not
 * archives are ignored; archives whose manifest cannot be read are listed
 * with `unreadable` set rather than hidden, since retention and status must
 * account for them.
 */
export async function listArchives(repository, options = {}) {
    const files = (await repository.listFiles()).filter((f) => f.name.endsWith('.stow'));
    const wanted = options.database ? safeName(options.database) : undefined;
    const selected = wanted
        ? files.filter((f) => (parseArchiveName(f.name)?.database ?? wanted) === wanted)
        : files;
    const infos = await mapLimit(selected, options.concurrency ?? 8, (file) => describe(repository, file, options));
    const result = infos.filter((i) => !wanted || i.database === wanted);
    return result.sort((a, b) => a.at.getTime() - b.at.getTime() || a.name.localeCompare(b.name));
}
async function describe(repository, file, options) {
    const parsed = parseArchiveName(file.name);
    const base = {
        name: file.name,
        location: repository.locate(file.name),
        database: parsed?.database ?? safeName(file.name.replace(/\.stow$/, '')),
        at: parsed?.at ?? file.modified,
        kind: parsed?.kind ?? 'manual',
        bytes: file.size,
    };
    const verification = await readVerificationRecord(repository, file.name, file.size);
    if (verification)
        base.verification = verification;
    let manifest;
    try {
        const source = await repository.openArchive(file.name);
        const reader = await ArchiveReader.open(source, { encryption: options.encryption, threads: 0 });
        manifest = reader.manifest;
        await reader.close();
    }
    catch (err) {
        if (err instanceof KeyRequiredError) {
            return { ...base, encrypted: true, unreadable: 'encrypted: give the key to read its manifest' };
        }
        return {
            ...base,
            unreadable: err instanceof StowageError || err instanceof Error ? err.message : String(err),
        };
    }
    const started = new Date(manifest.startedAt);
    const finished = new Date(manifest.finishedAt);
    return {
        ...base,
        // Names written by other tools or renamed by hand: the manifest knows better.
        ...(parsed ? {} : { database: safeName(manifest.database), kind: manifest.kind }),
        at: started,
        engine: manifest.engine,
        sourceDatabase: manifest.database,
        finishedAt: finished,
        durationMs: finished.getTime() - started.getTime(),
        rawBytes: manifest.streams.reduce((n, s) => n + s.rawBytes, 0),
        items: manifest.streams.reduce((n, s) => n + s.items, 0),
        streams: manifest.streams.length,
        ...(manifest.note ? { note: manifest.note } : {}),
        encrypted: manifest.encrypted,
        pointInTime: manifest.pointInTime,
    };
}
/** Maps with at most `limit` calls in flight, keeping order. */
async function mapLimit(items, limit, fn) {
    const out = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
}
//# sourceMappingURL=list.js.map