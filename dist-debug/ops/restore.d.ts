import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { EngineRestoreResult } from '../engines/engine.js';
import { type ProgressListener } from '../progress.js';
import type { S3Options } from '../store/s3-client.js';
import { type BackupSummary } from './backup.js';
export interface RestoreOptions {
    /** The archive: a path or `s3://bucket/prefix/NAME.stow`. */
    archive: string;
    /** Target connection URL; its scheme must match the archive's engine. */
    target: string;
    /** Parallel connections. Default 2. */
    jobs?: number;
    encryption?: KeySource;
    /** Engine-specific options: {@link PostgresRestoreOptions} or {@link MongoRestoreOptions}. */
    engineOptions?: Record<string, unknown>;
    onProgress?: ProgressListener;
    signal?: AbortSignal;
    threads?: number;
    s3?: S3Options;
    /**
     * Before restoring into a target that already holds tables or collections,
     * back it up first (a manual backup, never pruned automatically). Default
     * on, into the archive's own repository; `{ to }` puts it elsewhere; `false`
     * skips it. If the safety backup fails, nothing is restored.
     */
    safetyBackup?: boolean | {
        to?: string;
    };
}
export interface RestoreSummary extends EngineRestoreResult {
    archive: string;
    durationMs: number;
    manifest: Manifest;
    /** The safety backup taken of the target before restoring, if one was needed. */
    safetyBackup?: BackupSummary;
}
/** Restores an archive into the target database. */
export declare function restore(options: RestoreOptions): Promise<RestoreSummary>;
/** The databases of a MongoDB archive (the first part of each collection stream's namespace). */
export declare function archivedMongoDatabases(manifest: Manifest): string[];
