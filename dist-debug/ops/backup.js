import { ArchiveWriter } from '../archive/writer.js';
import { archiveName, databaseFromUrl } from '../catalog/naming.js';
import { writeRunRecord } from '../catalog/run-record.js';
import { engineNameForUrl, loadEngine } from '../engines/registry.js';
import { StowageError } from '../errors.js';
import { ignoreProgress } from '../progress.js';
import { redactSecrets, redactUrl } from '../redact.js';
import { resolveDestination } from '../store/destination.js';
import { TOOL_VERSION } from '../version.js';
import { preflight } from './preflight.js';
import { serverOnThisMachine } from './source-host.js';
/**
 * Default zstd level per engine, from the bench datasets. PostgreSQL COPY data:
 * level 1 is twice as fast as 3 and no larger (71.4 vs 72.0 MB, pg_dump -Fc
 * 80.1 MB), so a backup keeps pace with the COPY itself. MongoDB BSON: levels
 * 1–5 leave the archive larger than `mongodump --gzip` (165.5 MB at 1, 156.2 at
 * 3, 154.7 for mongodump); 6 is the first below it (149.9 MB).
 */
export const DEFAULT_COMPRESSION_BY_ENGINE = {
    postgres: 1,
    mongodb: 6,
};
/**
 * Backs up one database (or MongoDB deployment) into a new archive. On any
 * failure the partial archive is removed (or the multipart upload aborted)
 * and the error rethrown with the password redacted. When the destination is
 * a repository, the outcome is recorded there for `stowage status`.
 */
export async function backup(options) {
    const engineName = engineNameForUrl(options.source);
    const kind = options.kind ?? 'scheduled';
    const started = new Date();
    const progress = options.onProgress ?? ignoreProgress;
    const database = databaseFromUrl(options.source);
    const destination = await resolveDestination(options.to, (sequence) => archiveName(database, started, kind, sequence), {
        s3: options.s3,
    });
    const { repository } = destination;
    const record = async (status, extra) => {
        if (!repository || !destination.generated)
            return;
        // Best effort: the repository may be the very thing that failed (disk full, unreachable).
        await writeRunRecord(repository, {
            database,
            status,
            startedAt: started.toISOString(),
            finishedAt: new Date().toISOString(),
            ...(options.job ? { job: options.job } : {}),
            ...extra,
        }).catch(() => { });
    };
    try {
        let checks = [];
        if (repository && options.preflight !== false) {
            progress({ type: 'phase', phase: 'preflight', message: `checking ${repository.url} and the source` });
            checks = await preflight(repository, options.source, options.preflight === true ? {} : options.preflight);
            for (const c of checks)
                if (c.status === 'warn')
                    progress({ type: 'warning', message: c.message });
        }
        const engine = await loadEngine(engineName);
        const compression = options.compression ?? DEFAULT_COMPRESSION_BY_ENGINE[engineName];
        const sink = await destination.open();
        const jobs = options.jobs ?? 2;
        let writer;
        try {
            writer = await ArchiveWriter.create(sink, {
                compression,
                encryption: options.encryption,
                threads: options.threads,
                // A server on this machine keeps about one core busy per job.
                busyCores: serverOnThisMachine(options.source) ? jobs : 0,
            });
        }
        catch (err) {
            await sink.abort();
            throw err;
        }
        try {
            progress({
                type: 'phase',
                phase: 'backup',
                message: `backing up ${redactUrl(options.source)} to ${sink.location}`,
            });
            const result = await engine.backup({
                url: options.source,
                streams: writer,
                jobs,
                options: options.engineOptions ?? {},
                progress,
                signal: options.signal,
            });
            options.signal?.throwIfAborted();
            const finished = await writer.finish({
                tool: { name: 'stowage', version: TOOL_VERSION },
                engine: engineName,
                serverVersion: result.serverVersion,
                database: result.database,
                source: redactUrl(options.source),
                startedAt: started.toISOString(),
                finishedAt: new Date().toISOString(),
                kind,
                note: options.note,
                pointInTime: result.pointInTime,
                options: {
                    jobs,
                    compression,
                    engine: options.engineOptions ?? {},
                },
                warnings: result.warnings,
                schema: result.schema,
            });
            const { manifest } = finished;
            await record('success', { archive: destination.name, bytes: finished.bytes });
            return {
                archive: finished.location,
                bytes: finished.bytes,
                streams: manifest.streams.length,
                items: manifest.streams.reduce((n, s) => n + s.items, 0),
                rawBytes: manifest.streams.reduce((n, s) => n + s.rawBytes, 0),
                durationMs: Date.now() - started.getTime(),
                manifest,
                preflight: checks,
            };
        }
        catch (err) {
            await writer.abort();
            throw err;
        }
    }
    catch (err) {
        const clean = scrub(err, options.source);
        const message = clean instanceof Error ? clean.message : String(clean);
        await record(options.signal?.aborted ? 'interrupted' : 'failure', { error: message.split('\n')[0] });
        throw clean;
    }
    finally {
        await repository?.close();
    }
}
/** Makes sure no error leaving the library carries the connection password. */
export function scrub(err, url) {
    let password;
    try {
        password = decodeURIComponent(new URL(url).password) || undefined;
    }
    catch {
        password = undefined;
    }
    if (!password || !(err instanceof Error))
        return err;
    err.message = redactSecrets(err.message, [password, encodeURIComponent(password)]);
    if (err instanceof StowageError && err.hint) {
        Object.defineProperty(err, 'hint', { value: redactSecrets(err.hint, [password]) });
    }
    return err;
}
//# sourceMappingURL=backup.js.map