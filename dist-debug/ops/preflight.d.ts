import type { Repository } from '../store/repository.js';
/** Free-space thresholds for a backup's repository. */
export interface PreflightOptions {
    /** Abort when less than this is free. Default: the larger of 256 MiB and 1.2 × the database's last archive. */
    abortBelowBytes?: number;
    /** Warn when less than this is free. Default: the larger of 1 GiB and 3 × the database's last archive. */
    warnBelowBytes?: number;
    /** Skip the source check (the caller connects right after anyway, or it is not a database URL). */
    skipSource?: boolean;
}
export interface PreflightCheck {
    check: 'repository-writable' | 'free-space' | 'source-reachable';
    status: 'ok' | 'warn' | 'skipped';
    message: string;
}
/**
 * Checks before a backup that it can succeed, so that a full disk or a
 * read-only folder is reported in a second instead of after an hour of
 * dumping: the repository is writable (a probe file is written and removed),
 * it has room for about one more archive of this database, and the source
 * answers. Throws a StowageError naming the first hard failure; returns the
 * checks, warnings included.
 */
export declare function preflight(repository: Repository, source: string, options?: PreflightOptions): Promise<PreflightCheck[]>;
