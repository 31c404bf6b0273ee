import { z } from 'zod';
import { type Repository } from '../store/repository.js';
/**
 * The result of the latest `verify` of an archive, stored beside it as
 * `NAME.stow.verify.json` so `list`, `status`, retention ("never prune the
 * newest verified backup") and metrics can show it without re-reading the
 * archive. It names the archive's size and manifest end time, so a record left
 * over from a different archive of the same name is not believed.
 */
export declare const VerificationRecordSchema: z.ZodObject<{
    archive: z.ZodString;
    verifiedAt: z.ZodISODateTime;
    ok: z.ZodBoolean;
    level: z.ZodEnum<{
        frames: "frames";
        "restore-test": "restore-test";
    }>;
    archiveBytes: z.ZodNumber;
    manifestFinishedAt: z.ZodOptional<z.ZodString>;
    streams: z.ZodNumber;
    items: z.ZodNumber;
    durationMs: z.ZodNumber;
    problems: z.ZodArray<z.ZodString>;
    restoreTest: z.ZodOptional<z.ZodObject<{
        target: z.ZodString;
        ok: z.ZodBoolean;
        compared: z.ZodNumber;
        mismatches: z.ZodArray<z.ZodString>;
    }, z.core.$strip>>;
    tool: z.ZodString;
}, z.core.$strip>;
export type VerificationRecord = z.infer<typeof VerificationRecordSchema>;
/** The recorded verification of `archive`, if any and if it still matches the archive's size. */
export declare function readVerificationRecord(repository: Repository, archive: string, archiveBytes?: number): Promise<VerificationRecord | undefined>;
export declare function writeVerificationRecord(repository: Repository, record: VerificationRecord): Promise<void>;
