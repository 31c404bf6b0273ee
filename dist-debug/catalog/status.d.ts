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
}
export declare const DEFAULT_MAX_AGE_MS: number;
/**
 * Works out each database's status from the archive list and run records:
 * not ok when the newest backup is older than `maxAgeMs`, the last run failed,
 * the newest archive failed verification (or is unreadable), or there is no
 * backup at all.
 */
export declare function computeStatus(archives: ArchiveInfo[], runs: Map<string, RunRecord>, options?: StatusOptions): DatabaseStatus[];
/** `3d 4h`, `5h 12m`, `42m`, `12s`: ages as people read them. */
export declare function formatAge(ms: number): string;
/** Parses `25h`, `90m`, `2d`, `1d12h`, `3600s` or plain seconds into milliseconds. */
export declare function parseDuration(text: string): number | undefined;
