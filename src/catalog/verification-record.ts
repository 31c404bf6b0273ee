import { z } from 'zod';
import { type Repository, verificationFileName } from '../store/repository.js';

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
  /** `frames`: every frame, checksum, stream digest and count; `restore-test`: that plus a real restore. */
  level: z.enum(['frames', 'restore-test']),
  archiveBytes: z.number().int().nonnegative(),
  manifestFinishedAt: z.string().optional(),
  /** Absent when `contentsWithheld`. */
  streams: z.number().int().nonnegative().optional(),
  /** Absent when `contentsWithheld`. */
  items: z.number().int().nonnegative().optional(),
  durationMs: z.number().nonnegative(),
  /** What failed, one line each; empty when ok. */
  problems: z.array(z.string()),
  restoreTest: z
    .object({
      /** Scratch target, password removed; absent when `contentsWithheld`. */
      target: z.string().optional(),
      ok: z.boolean(),
      compared: z.number().int().nonnegative().optional(),
      mismatches: z.array(z.string()),
    })
    .optional(),
  tool: z.string(),
  /**
   * The archive is encrypted, so this plaintext side file holds only the
   * verdict: no stream or row counts, no table names in problems (see
   * docs/ARCHITECTURE.md, "Side files of encrypted archives").
   */
  contentsWithheld: z.boolean().optional(),
});

export type VerificationRecord = z.infer<typeof VerificationRecordSchema>;

/** The recorded verification of `archive`, if any and if it still matches the archive's size. */
export async function readVerificationRecord(
  repository: Repository,
  archive: string,
  archiveBytes?: number,
): Promise<VerificationRecord | undefined> {
  const text = await repository.readText(verificationFileName(archive)).catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = VerificationRecordSchema.safeParse(parsed);
  if (!result.success) return undefined;
  if (archiveBytes !== undefined && result.data.archiveBytes !== archiveBytes) return undefined;
  return result.data;
}

/**
 * The record as it may be stored beside an encrypted archive: the verdict,
 * level, dates and size (what list, status and retention need without a key),
 * and nothing of the contents: counts, names and mismatches are dropped.
 */
export function withholdContents(record: VerificationRecord): VerificationRecord {
  const { streams: _streams, items: _items, restoreTest, problems, ...rest } = record;
  return {
    ...rest,
    problems:
      problems.length === 0
        ? []
        : [
            `${problems.length} problem(s); details withheld as the archive is encrypted: run verify with its key`,
          ],
    ...(restoreTest ? { restoreTest: { ok: restoreTest.ok, mismatches: [] } } : {}),
    contentsWithheld: true,
  };
}

export async function writeVerificationRecord(
  repository: Repository,
  record: VerificationRecord,
): Promise<void> {
  await repository.writeText(verificationFileName(record.archive), `${JSON.stringify(record, null, 2)}\n`);
}
