import { z } from 'zod';
import { safeName } from './naming.js';
/**
 * The outcome of the latest backup run of one database in a repository,
 * kept in `.stowage/runs/<database>.json`. A failed run leaves no archive, so
 * without this record `status` could not tell "failed last night" from
 * "nothing scheduled".
 */
export const RunRecordSchema = z.object({
    /** The database key: the database part of archive names. */
    database: z.string(),
    status: z.enum(['success', 'failure', 'interrupted']),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    /** The archive written, on success. */
    archive: z.string().optional(),
    bytes: z.number().int().nonnegative().optional(),
    /** One-line error, passwords removed, on failure. */
    error: z.string().optional(),
    /** The daemon job that ran it, when it was the daemon. */
    job: z.string().optional(),
    /** The last successful run, carried over so a failure does not hide it. */
    lastSuccessAt: z.iso.datetime().optional(),
});
const RUNS_FOLDER = '.stowage/runs';
function runRecordName(database) {
    return `${RUNS_FOLDER}/${safeName(database)}.json`;
}
/** The latest run record of a database, or undefined (none, or unreadable: it is advisory). */
export async function readRunRecord(repository, database) {
    const text = await repository.readText(runRecordName(database));
    return text === undefined ? undefined : parseRunRecord(text);
}
/** Records a run, keeping `lastSuccessAt` across failures. */
export async function writeRunRecord(repository, record) {
    const previous = await readRunRecord(repository, record.database).catch(() => undefined);
    const lastSuccessAt = record.status === 'success' ? record.finishedAt : (previous?.lastSuccessAt ?? record.lastSuccessAt);
    const full = {
        ...record,
        database: safeName(record.database),
        ...(lastSuccessAt ? { lastSuccessAt } : {}),
    };
    await repository.writeText(runRecordName(record.database), `${JSON.stringify(full, null, 2)}\n`);
}
/** Every run record in the repository, by database key. Unreadable records are skipped: they are advisory. */
export async function readAllRunRecords(repository) {
    const out = new Map();
    for (const file of await repository.listFiles(RUNS_FOLDER)) {
        if (!file.name.endsWith('.json'))
            continue;
        const text = await repository.readText(`${RUNS_FOLDER}/${file.name}`).catch(() => undefined);
        const record = text === undefined ? undefined : parseRunRecord(text);
        if (record)
            out.set(record.database, record);
    }
    return out;
}
function parseRunRecord(text) {
    try {
        const parsed = RunRecordSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
    }
    catch {
        return undefined;
    }
}
//# sourceMappingURL=run-record.js.map