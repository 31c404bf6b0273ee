import { StowageError, UsageError } from '../errors.js';
import { type BackupKind, isPrunable } from './backup-kind.js';

/**
 * A grandfather-father-son retention policy, per database. Each `keepX: n`
 * keeps the newest backup of each of the `n` most recent hours/days/… that
 * have one (as restic and borg count them), in UTC like archive names.
 */
export type RetentionPolicy = { [K in RetentionRuleKey]?: number };

/**
 * Every keep rule, once: the policy type, `prune`'s `--keep-*` flags and the
 * daemon config's `retention` keys are all derived from this list, so a new rule
 * is one line here (and its test).
 */
export const RETENTION_RULES = [
  { key: 'keepLast', flag: '--keep-last', help: 'keep the n newest backups' },
  {
    key: 'keepHourly',
    flag: '--keep-hourly',
    help: 'keep the newest backup of each of the last n hours that have one',
    label: 'hourly',
    bucket: (d: Date) => d.toISOString().slice(0, 13),
  },
  {
    key: 'keepDaily',
    flag: '--keep-daily',
    help: 'same per day (default 30 when no --keep-* is given)',
    label: 'daily',
    bucket: (d: Date) => d.toISOString().slice(0, 10),
  },
  { key: 'keepWeekly', flag: '--keep-weekly', help: 'same per ISO week', label: 'weekly', bucket: isoWeek },
  {
    key: 'keepMonthly',
    flag: '--keep-monthly',
    help: 'same per month',
    label: 'monthly',
    bucket: (d: Date) => d.toISOString().slice(0, 7),
  },
  {
    key: 'keepYearly',
    flag: '--keep-yearly',
    help: 'same per year',
    label: 'yearly',
    bucket: (d: Date) => d.toISOString().slice(0, 4),
  },
] as const;

export type RetentionRuleKey = (typeof RETENTION_RULES)[number]['key'];

/** The policy used when none is given: one backup per day for 30 days. */
export const DEFAULT_RETENTION: RetentionPolicy = { keepDaily: 30 };

/** What retention needs to know about one archive. */
export interface RetentionCandidate {
  name: string;
  /** Database key; retention runs per database. */
  database: string;
  at: Date;
  kind: BackupKind;
  /** The latest verification of this archive passed. */
  verified: boolean;
  /**
   * Whether the archive is known to be restorable (see `ArchiveInfo.health`).
   * Only restorable archives fill keep slots; the others never push a good one out.
   */
  health: 'restorable' | 'damaged' | 'unknown';
}

/** How archives that are not restorable are treated. */
export interface RetentionOptions {
  /**
   * Delete scheduled archives known to be damaged (broken tail, failed
   * verification). By default they stay, outside every keep rule, so a person
   * can try to salvage them; `unknown` ones always stay.
   */
  deleteDamaged?: boolean;
}

export interface RetentionDecision {
  name: string;
  database: string;
  at: Date;
  keep: boolean;
  /** Why it stays (every rule that keeps it), or why it goes. */
  reasons: string[];
  /** As given in the candidate: anything but `restorable` took no keep slot. */
  health: RetentionCandidate['health'];
}

/** The rules that keep one backup per calendar bucket (all but keepLast). */
const BUCKET_RULES = RETENTION_RULES.filter((r) => 'bucket' in r);

/** Fills in the default and rejects nonsense (negative or fractional counts, a policy that keeps nothing). */
export function normalizePolicy(policy: RetentionPolicy | undefined): Required<RetentionPolicy> {
  const given = policy ?? {};
  const anyGiven = Object.values(given).some((v) => v !== undefined);
  const source = anyGiven ? given : DEFAULT_RETENTION;
  const out = Object.fromEntries(
    RETENTION_RULES.map((r) => [r.key, source[r.key] ?? 0]),
  ) as Required<RetentionPolicy>;
  for (const [key, value] of Object.entries(out)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new UsageError(`retention ${key} must be a whole number ≥ 0, got ${value}`);
    }
  }
  if (Object.values(out).every((v) => v === 0)) {
    throw new UsageError(
      'this retention policy keeps nothing',
      'give at least one of keep-last/hourly/daily/weekly/monthly/yearly above 0',
    );
  }
  return out;
}

/**
 * Decides which archives stay. Keep rules count only restorable archives, so
 * every bucket keeps its newest restorable one and a broken archive never
 * takes the slot of a good one; archives that are not restorable stay outside
 * the rules (deleted only when `deleteDamaged` says so and they are known
 * damaged). Manual backups always stay; so does the newest archive whose
 * verification passed, so a run of silently broken backups can never push the
 * last known-good one out. Throws rather than plan the deletion of every
 * archive of a database.
 */
export function planRetention(
  candidates: RetentionCandidate[],
  policy?: RetentionPolicy,
  options: RetentionOptions = {},
): RetentionDecision[] {
  const rules = normalizePolicy(policy);
  const byDatabase = new Map<string, RetentionCandidate[]>();
  for (const c of candidates) {
    const list = byDatabase.get(c.database) ?? [];
    list.push(c);
    byDatabase.set(c.database, list);
  }
  const decisions: RetentionDecision[] = [];
  for (const [database, group] of byDatabase) {
    const newestFirst = [...group].sort(
      (a, b) => b.at.getTime() - a.at.getTime() || b.name.localeCompare(a.name),
    );
    const reasons = new Map<string, string[]>(newestFirst.map((c) => [c.name, []]));
    // Scheduled and on-demand backups fill the keep rules together: both are the database's backups.
    const scheduled = newestFirst.filter((c) => isPrunable(c.kind) && c.health === 'restorable');
    scheduled.slice(0, rules.keepLast).forEach((c, i) => {
      reasons.get(c.name)!.push(`last ${rules.keepLast} (#${i + 1})`);
    });
    for (const rule of BUCKET_RULES) {
      const limit = rules[rule.key];
      if (limit === 0) continue;
      const seen = new Set<string>();
      for (const c of scheduled) {
        if (seen.size >= limit) break;
        const bucket = rule.bucket(c.at);
        if (seen.has(bucket)) continue;
        seen.add(bucket);
        reasons.get(c.name)!.push(`${rule.label} ${bucket} (${seen.size} of ${limit})`);
      }
    }
    for (const c of newestFirst) {
      if (!isPrunable(c.kind)) reasons.get(c.name)!.push('manual backup (never pruned automatically)');
    }
    const newestVerified = newestFirst.find((c) => c.verified && c.health === 'restorable');
    if (newestVerified) reasons.get(newestVerified.name)!.push('newest verified backup');
    for (const c of newestFirst) {
      if (!isPrunable(c.kind)) continue;
      if (c.health === 'unknown') {
        reasons.get(c.name)!.push('could not be checked: takes no keep slot, never pruned');
      } else if (c.health === 'damaged' && !options.deleteDamaged) {
        reasons
          .get(c.name)!
          .push('damaged: takes no keep slot, kept for salvage (--delete-damaged removes it)');
      }
    }
    const kept = newestFirst.filter((c) => reasons.get(c.name)!.length > 0);
    if (kept.length === 0 && newestFirst.some((c) => c.health !== 'damaged')) {
      throw new StowageError(
        'prune-all',
        `retention would delete every backup of ${database}: refusing`,
        'keep at least one (e.g. --keep-last 1)',
      );
    }
    for (const c of newestFirst) {
      const why = reasons.get(c.name)!;
      decisions.push({
        name: c.name,
        database,
        at: c.at,
        keep: why.length > 0,
        reasons:
          why.length > 0
            ? why
            : [c.health === 'damaged' ? 'damaged (--delete-damaged)' : 'not selected by any keep rule'],
        health: c.health,
      });
    }
  }
  return decisions;
}

/** ISO-8601 week, e.g. `2026-W47`, for weekly buckets (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
