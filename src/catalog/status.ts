import type { ArchiveInfo } from './list.js';
import type { RunRecord } from './run-record.js';

/** Health of one database's backups in a repository. */
export interface DatabaseStatus {
  database: string;
  /** The newest archive, if any. */
  newest?: ArchiveInfo;
  /** Age of the newest archive (from when it finished, else started). */
  ageMs?: number;
  archives: number;
  totalBytes: number;
  lastRun?: RunRecord;
  /** Verification of the newest archive: passed, failed, or never verified. */
  verification: 'passed' | 'failed' | 'never';
  /** Everything that is wrong, one line each; empty when healthy. */
  problems: string[];
  ok: boolean;
}

export interface StatusOptions {
  /** Oldest acceptable age of the newest backup. Default 25 hours (a daily schedule plus slack). */
  maxAgeMs?: number;
  now?: Date;
  /** Also fail when the newest backup was never verified. Default false. */
  requireVerified?: boolean;
  /**
   * Per database key, the moment up to which a continuous backup chain holds
   * every change: such a database is as fresh as that, whatever its base's age.
   */
  coveredUntil?: Map<string, Date>;
}

export const DEFAULT_MAX_AGE_MS = 25 * 3_600_000;

/**
 * Works out each database's status from the archive list and run records:
 * not ok when the newest backup is older than `maxAgeMs`, the last run failed,
 * the newest archive failed verification (or is unreadable, or is incomplete),
 * or there is no backup at all.
 */
export function computeStatus(
  archives: ArchiveInfo[],
  runs: Map<string, RunRecord>,
  options: StatusOptions = {},
): DatabaseStatus[] {
  const now = (options.now ?? new Date()).getTime();
  const maxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const databases = new Set<string>([...archives.map((a) => a.database), ...runs.keys()]);
  const out: DatabaseStatus[] = [];
  for (const database of [...databases].sort()) {
    const own = archives.filter((a) => a.database === database);
    const newest = own.reduce<ArchiveInfo | undefined>(
      (best, a) => (!best || a.at > best.at ? a : best),
      undefined,
    );
    const lastRun = runs.get(database);
    const problems: string[] = [];
    let ageMs: number | undefined;
    if (!newest) problems.push('no backup in the repository');
    else {
      const covered = options.coveredUntil?.get(database)?.getTime() ?? 0;
      ageMs = now - Math.max((newest.finishedAt ?? newest.at).getTime(), covered);
      if (ageMs > maxAge)
        problems.push(`newest backup is ${formatAge(ageMs)} old (limit ${formatAge(maxAge)})`);
      if (newest.unreadable && !newest.encrypted)
        problems.push(`newest backup is unreadable: ${newest.unreadable}`);
      // Without the key an encrypted archive is "unreadable" by design, but a broken footer is still damage.
      else if (newest.health === 'damaged' && newest.verification?.ok !== false)
        problems.push(`newest backup is damaged: ${newest.damage}`);
      if (newest.incomplete)
        problems.push(`newest backup is INCOMPLETE, it lacks ${newest.incomplete.join(', ')}`);
    }
    if (lastRun && lastRun.status !== 'success') {
      problems.push(
        `last run ${lastRun.status === 'failure' ? 'failed' : 'was interrupted'} at ${lastRun.finishedAt}${lastRun.error ? `: ${lastRun.error}` : ''}`,
      );
    }
    const verification = !newest?.verification ? 'never' : newest.verification.ok ? 'passed' : 'failed';
    if (verification === 'failed') {
      problems.push(
        `newest backup failed verification: ${newest?.verification?.problems[0] ?? 'see verify'}`,
      );
    }
    if (verification === 'never' && newest && options.requireVerified)
      problems.push('newest backup was never verified');
    out.push({
      database,
      ...(newest ? { newest } : {}),
      ...(ageMs !== undefined ? { ageMs } : {}),
      archives: own.length,
      totalBytes: own.reduce((n, a) => n + a.bytes, 0),
      ...(lastRun ? { lastRun } : {}),
      verification,
      problems,
      ok: problems.length === 0,
    });
  }
  return out;
}

/** `3d 4h`, `5h 12m`, `42m`, `12s`: ages as people read them. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

/** Parses `25h`, `90m`, `2d`, `1d12h`, `3600s` or plain seconds into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'ms'];
    total += Number(match[1]) * unit;
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}
