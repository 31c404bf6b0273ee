import type { KeySource } from '../archive/keys.js';
import { type DatabaseStatus, type StatusOptions } from '../catalog/status.js';
import type { S3Options } from '../store/s3-client.js';
export interface RepositoryStatusOptions extends StatusOptions {
    /** A local folder or `s3://bucket/prefix`. */
    repository: string;
    database?: string;
    encryption?: KeySource;
    s3?: S3Options;
}
export interface RepositoryStatus {
    repository: string;
    /** True when every database is healthy (and there is at least one). */
    ok: boolean;
    databases: DatabaseStatus[];
    checkedAt: string;
}
/**
 * The health of a repository: per database, the newest backup, its age,
 * size and verification, and the last run's outcome. `ok` is false when any
 * database's newest backup is older than `maxAgeMs` (default 25 h), its last
 * run failed, its newest archive failed verification, or the repository holds
 * no backup at all.
 */
export declare function status(options: RepositoryStatusOptions): Promise<RepositoryStatus>;
