import type { KeySource } from '../archive/keys.js';
import { type RetentionDecision, type RetentionPolicy } from '../catalog/retention.js';
import { type Repository } from '../store/repository.js';
import type { S3Options } from '../store/s3-client.js';
export interface PruneOptions {
    /** A local folder or `s3://bucket/prefix`. */
    repository: string | Repository;
    policy?: RetentionPolicy;
    /** Only this database's archives (default: every database, each on its own). */
    database?: string;
    /** Decide and report, delete nothing. */
    dryRun?: boolean;
    /** Key to read encrypted manifests (dates then come from the manifest instead of the name). */
    encryption?: KeySource;
    s3?: S3Options;
}
export interface PruneResult {
    repository: string;
    dryRun: boolean;
    /** Every archive with its verdict and reasons, newest first per database. */
    decisions: RetentionDecision[];
    /** Names deleted (or that would be, on a dry run). */
    deleted: string[];
    kept: string[];
}
/**
 * Applies a retention policy to a repository: archives no rule keeps are
 * deleted together with their verification records. Manual backups and the
 * newest verified backup of each database always stay, and a policy that
 * would delete every backup of a database is refused before anything goes.
 */
export declare function prune(options: PruneOptions): Promise<PruneResult>;
