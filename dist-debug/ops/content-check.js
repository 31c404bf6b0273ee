import { Writable } from 'node:stream';
import { createStreamDigest, recordDigest, recordedDigest, sameDigest, } from '../archive/stream-digest.js';
import { loadEngine } from '../engines/registry.js';
import { ignoreProgress } from '../progress.js';
import { ItemSplitter, MultisetDigest } from './item-digest.js';
/** Streams that hold no table or collection data (MongoDB's captured oplog and the like). */
export function isDataStream(name) {
    return !name.startsWith('$');
}
/** A {@link StreamWriterSet} that keeps only digests of what an engine writes. */
class DigestingStreams {
    engine;
    algorithm;
    streams = new Map();
    /** @param algorithm the archive's stream digest, so equal bytes give equal digests */
    constructor(engine, algorithm) {
        this.engine = engine;
        this.algorithm = algorithm;
    }
    open(name) {
        const hash = createStreamDigest(this.algorithm);
        const splitter = new ItemSplitter(this.engine);
        const entry = { digest: undefined, items: 0, multiset: splitter.digest };
        this.streams.set(name, entry);
        const writer = new Writable({
            write(chunk, _encoding, callback) {
                hash.update(chunk);
                try {
                    splitter.push(chunk);
                }
                catch (err) {
                    entry.problem ??= err.message;
                }
                callback();
            },
            final(callback) {
                entry.digest = recordDigest(hash.algorithm, hash.hex());
                entry.items = writer.itemCount;
                const problem = splitter.end();
                if (problem)
                    entry.problem ??= problem;
                callback();
            },
        });
        writer.itemCount = 0;
        return writer;
    }
}
/** Dumps `url` again and compares it with the archive open in `reader`. */
export async function compareWithDatabase(reader, url, options = {}) {
    const { manifest } = reader;
    const engineName = manifest.engine;
    const engine = await loadEngine(engineName);
    const first = manifest.streams[0];
    const dumped = new DigestingStreams(engineName, first ? recordedDigest(first).algorithm : 'sha256');
    await engine.backup({
        url,
        streams: dumped,
        jobs: options.jobs ?? 1,
        options: options.backupOptions ?? {},
        progress: ignoreProgress,
        signal: options.signal,
    });
    const rename = options.rename ?? ((u) => u);
    // The archive's data streams, grouped by table/collection.
    const archiveUnits = new Map();
    for (const s of manifest.streams.filter((s) => isDataStream(s.name))) {
        const unit = engine.unitOfStream(s.name);
        archiveUnits.set(unit, [...(archiveUnits.get(unit) ?? []), s]);
    }
    const databaseUnits = new Map();
    for (const [name, digest] of dumped.streams) {
        if (!isDataStream(name))
            continue;
        const unit = engine.unitOfStream(name);
        databaseUnits.set(unit, [...(databaseUnits.get(unit) ?? []), { name, digest }]);
    }
    const units = [];
    const claimed = new Set();
    for (const [unit, streams] of archiveUnits) {
        const target = rename(unit);
        claimed.add(target);
        const found = databaseUnits.get(target) ?? [];
        const archiveItems = streams.reduce((n, s) => n + s.items, 0);
        const databaseItems = found.reduce((n, f) => n + f.digest.items, 0);
        if (found.length === 0) {
            units.push({
                unit,
                archiveItems,
                databaseItems: 0,
                match: false,
                method: 'multiset',
                problem: `${target} is missing from the database`,
            });
            continue;
        }
        // Fast path: same slicing and identical bytes.
        const sameBytes = streams.length === found.length &&
            streams.every((s) => found.some((f) => sameDigest(f.digest.digest, s) && f.digest.items === s.items));
        if (sameBytes) {
            units.push({ unit, archiveItems, databaseItems, match: true, method: 'bytes' });
            continue;
        }
        const archiveDigest = new MultisetDigest();
        let problem;
        for (const s of streams) {
            const splitter = new ItemSplitter(engineName);
            for await (const chunk of reader.open(s.name))
                splitter.push(chunk);
            problem ??= splitter.end();
            archiveDigest.merge(splitter.digest);
        }
        const databaseDigest = new MultisetDigest();
        for (const f of found) {
            databaseDigest.merge(f.digest.multiset);
            problem ??= f.digest.problem;
        }
        const countsMatch = archiveItems === databaseItems;
        const contentMatch = archiveDigest.hex() === databaseDigest.hex() && archiveDigest.count === databaseDigest.count;
        units.push({
            unit,
            archiveItems,
            databaseItems,
            match: countsMatch && contentMatch && !problem,
            method: 'multiset',
            ...(problem
                ? { problem }
                : !countsMatch
                    ? {
                        problem: `${target}: ${databaseItems} rows/documents in the database, ${archiveItems} in the archive`,
                    }
                    : !contentMatch
                        ? {
                            problem: `${target}: content differs from the archive (same count, different rows/documents)`,
                        }
                        : {}),
        });
    }
    for (const [unit, found] of databaseUnits) {
        if (claimed.has(unit))
            continue;
        const databaseItems = found.reduce((n, f) => n + f.digest.items, 0);
        units.push({
            unit,
            archiveItems: 0,
            databaseItems,
            match: false,
            method: 'multiset',
            problem: `${unit} is in the database but not in the archive`,
        });
    }
    return {
        compared: units.length,
        units,
        mismatches: units.filter((u) => !u.match).map((u) => u.problem ?? `${u.unit} differs`),
    };
}
//# sourceMappingURL=content-check.js.map