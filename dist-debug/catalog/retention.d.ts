/**
 * A grandfather-father-son retention policy, per database. Each `keepX: n`
 * keeps the newest backup of each of the `n` most recent hours/days/… that
 * have one (as restic and borg count them), in UTC like archive names.
 */
export interface RetentionPolicy {
    /** The n newest backups, whatever their dates. */
    keepLast?: number;
    keepHourly?: number;
    /** Default 30 when no other rule is given. */
    keepDaily?: number;
    keepWeekly?: number;
    keepMonthly?: number;
    keepYearly?: number;
}
/** The policy used when none is given: one backup per day for 30 days. */
export declare const DEFAULT_RETENTION: RetentionPolicy;
/** What retention needs to know about one archive. */
export interface RetentionCandidate {
    name: string;
    /** Database key; retention runs per database. */
    database: string;
    at: Date;
    kind: 'scheduled' | 'manual';
    /** The latest verification of this archive passed. */
    verified: boolean;
}
export interface RetentionDecision {
    name: string;
    database: string;
    at: Date;
    keep: boolean;
    /** Why it stays (every rule that keeps it), or why it goes. */
    reasons: string[];
}
/** Fills in the default and rejects nonsense (negative or fractional counts, a policy that keeps nothing). */
export declare function normalizePolicy(policy: RetentionPolicy | undefined): Required<RetentionPolicy>;
/**
 * Decides which archives stay. Manual backups always stay; so does the newest
 * archive whose verification passed, so a run of silently broken backups can
 * never push the last known-good one out. Throws rather than plan the
 * deletion of every archive of a database.
 */
export declare function planRetention(candidates: RetentionCandidate[], policy?: RetentionPolicy): RetentionDecision[];
/** ISO-8601 week, e.g. `2026-W47`, for weekly buckets (weeks start on Monday; week 1 holds the year's first Thursday). */
export declare function isoWeek(date: Date): string;
