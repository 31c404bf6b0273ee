import type { KeySource } from '../archive/keys.js';
import type { ProgressListener } from '../progress.js';
import type { S3Options } from '../store/s3-client.js';
import { type BackupSummary } from './backup.js';
import type { ResolvedJob } from './daemon-config.js';
import type { PreflightOptions } from './preflight.js';
import { type PruneResult } from './prune.js';
import { type VerifyResult } from './verify.js';
/** What one scheduled run did. */
export interface JobOutcome {
    job: string;
    status: 'success' | 'failure' | 'interrupted';
    startedAt: string;
    finishedAt: string;
    backup?: BackupSummary;
    verify?: VerifyResult;
    prune?: PruneResult;
    /** One line; passwords removed. */
    error?: string;
    /** Problems after a successful backup (verification failed, prune or notification failed). */
    warnings: string[];
}
export interface RunJobContext {
    s3?: S3Options;
    preflight?: PreflightOptions;
    signal?: AbortSignal;
    log: (line: string) => void;
    onProgress?: ProgressListener;
}
/** The key source a job's `encryption` setting describes. */
export declare function jobKeySource(job: ResolvedJob, env?: NodeJS.ProcessEnv): Promise<KeySource | undefined>;
/**
 * One run of a daemon job: back up into the job's repository, verify the
 * new archive (when asked), apply retention, and notify. A failed backup
 * is recorded and reported, never thrown: the daemon keeps running. A failed
 * verification makes the run a failure (the archive stays; the previous
 * verified one is protected from retention).
 */
export declare function runJob(job: ResolvedJob, ctx: RunJobContext): Promise<JobOutcome>;
