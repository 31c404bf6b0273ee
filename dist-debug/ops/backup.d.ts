import type { CompressionLevel } from '../archive/frame-codec.js';
import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { EngineName } from '../engines/engine.js';
import { type ProgressListener } from '../progress.js';
import type { S3Options } from '../store/s3-client.js';
import { type PreflightCheck, type PreflightOptions } from './preflight.js';
/**
 * Default zstd level per engine, from the bench datasets. PostgreSQL COPY data:
 * level 1 is twice as fast as 3 and no larger (71.4 vs 72.0 MB, pg_dump -Fc
 * 80.1 MB), so a backup keeps pace with the COPY itself. MongoDB BSON: levels
 * 1–5 leave the archive larger than `mongodump --gzip` (165.5 MB at 1, 156.2 at
 * 3, 154.7 for mongodump); 6 is the first below it (149.9 MB).
 */
export declare const DEFAULT_COMPRESSION_BY_ENGINE: Record<EngineName, CompressionLevel>;
export interface BackupOptions {
    /** Source connection URL (`postgres://…`, `mongodb://…`). The engine is chosen by its scheme. */
    source: string;
    /**
     * A repository (local folder or `s3://bucket/prefix`; the archive gets a
     * generated name), an archive path ending in `.stow` (local or
     * `s3://bucket/prefix/NAME.stow`), or `-` for stdout.
     */
    to: string;
    /** Parallel connections. Default 2. */
    jobs?: number;
    /** zstd level 1–19 or 'none'. Default per engine: {@link DEFAULT_COMPRESSION_BY_ENGINE}. */
    compression?: CompressionLevel;
    encryption?: KeySource;
    kind?: 'scheduled' | 'manual';
    note?: string;
    /** Engine-specific options: {@link PostgresBackupOptions} or {@link MongoBackupOptions}. */
    engineOptions?: Record<string, unknown>;
    onProgress?: ProgressListener;
    signal?: AbortSignal;
    /**
     * Codec worker threads. Default: see defaultCodecThreads; at compression levels up to 3 it leaves
     * a core to the main thread and, when the server runs on this machine, one per job to the server.
     */
    threads?: number;
    /** S3 settings for `s3://` destinations (merged over `STOWAGE_S3_*` and the AWS environment). */
    s3?: S3Options;
    /**
     * Checks before dumping: repository writable, free space, source reachable.
     * Default on for repositories and files, off for stdout; `false` skips them.
     */
    preflight?: boolean | PreflightOptions;
    /** The daemon job name, recorded in the run record. */
    job?: string;
}
export interface BackupSummary {
    /** Where the archive was written (path or s3:// address). */
    archive: string;
    bytes: number;
    streams: number;
    /** Rows or documents in all streams. */
    items: number;
    rawBytes: number;
    durationMs: number;
    manifest: Manifest;
    /** Preflight results, warnings included (empty when skipped). */
    preflight: PreflightCheck[];
}
/**
 * Backs up one database (or MongoDB deployment) into a new archive. On any
 * failure the partial archive is removed (or the multipart upload aborted)
 * and the error rethrown with the password redacted. When the destination is
 * a repository, the outcome is recorded there for `stowage status`.
 */
export declare function backup(options: BackupOptions): Promise<BackupSummary>;
/** Makes sure no error leaving the library carries the connection password. */
export declare function scrub(err: unknown, url: string): unknown;
