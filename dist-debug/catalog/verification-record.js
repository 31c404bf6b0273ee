import { z } from 'zod';
import { verificationFileName } from '../store/repository.js';
/**
 * The result of the latest `verify` of an archive, stored beside it as
 * `NAME.stow.verify.json` so `list`, `status`, retention ("never prune the
 * newest verified backup") and metrics can show it without re-reading the
 * archive. It names the archive's size and manifest end time, so a record left
 * over from a different archive of the same name is not believed.
 */
export const VerificationRecordSchema = z.object({
    archive: z.string(),
    verifiedAt: z.iso.datetime(),
    ok: z.boolean(),
    /** `frames`: every frame, checksum, stream SHA-256 and count; `restore-test`: that plus a real restore. */
    level: z.enum(['frames', 'restore-test']),
    archiveBytes: z.number().int().nonnegative(),
    manifestFinishedAt: z.string().optional(),
    streams: z.number().int().nonnegative(),
    items: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    /** What failed, one line each; empty when ok. */
    problems: z.array(z.string()),
    restoreTest: z
        .object({
        /** Scratch target, password removed. */
        target: z.string(),
        ok: z.boolean(),
        compared: z.number().int().nonnegative(),
        mismatches: z.array(z.string()),
    })
        .optional(),
    tool: z.string(),
});
/** The recorded verification of `archive`, if any and if it still matches the archive's size. */
export async function readVerificationRecord(repository, archive, archiveBytes) {
    const text = await repository.readText(verificationFileName(archive)).catch(() => undefined);
    if (text === undefined)
        return undefined;
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        return undefined;
    }
    const result = VerificationRecordSchema.safeParse(parsed);
    if (!result.success)
        return undefined;
    if (archiveBytes !== undefined && result.data.archiveBytes !== archiveBytes)
        return undefined;
    return result.data;
}
export async function writeVerificationRecord(repository, record) {
    await repository.writeText(verificationFileName(record.archive), `${JSON.stringify(record, null, 2)}\n`);
}
//# sourceMappingURL=verification-record.js.map