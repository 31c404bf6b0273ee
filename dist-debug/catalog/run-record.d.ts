import { z } from 'zod';
import type { Repository } from '../store/repository.js';
/**
 * The outcome of the latest backup run of one database in a repository,
 * kept in `.stowage/runs/<database>.json`. A failed run leaves no archive, so
 * without this record `status` could not tell "failed last night" from
 * "nothing scheduled".
 */
export declare const RunRecordSchema: z.ZodObject<{
    database: z.ZodString;
    status: z.ZodEnum<{
        failure: "failure";
        interrupted: "interrupted";
        success: "success";
    }>;
    startedAt: z.ZodISODateTime;
    finishedAt: z.ZodISODateTime;
    archive: z.ZodOptional<z.ZodString>;
    bytes: z.ZodOptional<z.ZodNumber>;
    error: z.ZodOptional<z.ZodString>;
    job: z.ZodOptional<z.ZodString>;
    lastSuccessAt: z.ZodOptional<z.ZodISODateTime>;
}, z.core.$strip>;
export type RunRecord = z.infer<typeof RunRecordSchema>;
/** The latest run record of a database, or undefined (none, or unreadable: it is advisory). */
export declare function readRunRecord(repository: Repository, database: string): Promise<RunRecord | undefined>;
/** Records a run, keeping `lastSuccessAt` across failures. */
export declare function writeRunRecord(repository: Repository, record: RunRecord): Promise<void>;
/** Every run record in the repository, by database key. Unreadable records are skipped: they are advisory. */
export declare function readAllRunRecords(repository: Repository): Promise<Map<string, RunRecord>>;
