/**
 * Stowage: back up and restore PostgreSQL and MongoDB through their native
 * drivers, into chunked, compressed, checksummed, optionally encrypted `.stow`
 * archives.
 *
 * @example
 * ```ts
 * import { backup, prune, restore, verify } from 'stowage';
 * const { archive } = await backup({ source: 'postgres://app@db/shop', to: 's3://backups/prod' });
 * const check = await verify({ archive });
 * await restore({ archive, target: 'postgres://app@localhost/shop_test', engineOptions: { create: true } });
 * await prune({ repository: 's3://backups/prod', policy: { keepDaily: 30, keepMonthly: 12 } });
 * ```
 * @packageDocumentation
 */

export { ArchiveKeys, type Encryption, type KeyDerivation } from './archive/archive-keys.js';
export type { CompressionLevel } from './archive/frame-codec.js';
export type { KeySource } from './archive/keys.js';
export type { Manifest, StreamEntry } from './archive/manifest.js';
export { ArchiveReader, type ArchiveReaderOptions } from './archive/reader.js';
export { type ScanReport, scanArchive } from './archive/scan.js';
export { ArchiveWriter, type ArchiveWriterOptions } from './archive/writer.js';
export { BACKUP_KINDS, type BackupKind } from './catalog/backup-kind.js';
export type { ArchiveInfo } from './catalog/list.js';
export type { RetentionDecision, RetentionPolicy } from './catalog/retention.js';
export type { RunRecord } from './catalog/run-record.js';
export type { DatabaseStatus } from './catalog/status.js';
export type { VerificationRecord } from './catalog/verification-record.js';
export type { MongoBackupOptions, MongoRestoreOptions } from './engines/mongodb/options.js';
export type { PostgresBackupOptions, PostgresRestoreOptions } from './engines/postgres/options.js';
export { ERROR_CODES, type ErrorCode, exitStatusFor } from './error-codes.js';
export {
  CorruptFrameError,
  KeyRequiredError,
  NotAnArchiveError,
  StowageError,
  TruncatedArchiveError,
  UnsupportedVersionError,
  UsageError,
  WrongKeyError,
} from './errors.js';
export {
  type BackupOptions,
  type BackupSummary,
  backup,
  DEFAULT_COMPRESSION_BY_ENGINE,
} from './ops/backup.js';
export type { ContentComparison, UnitComparison } from './ops/content-check.js';
export { Daemon, type DaemonOptions } from './ops/daemon.js';
export { type DaemonConfig, loadDaemonConfig, parseDaemonConfig } from './ops/daemon-config.js';
export { type DemoOptions, type DemoResult, runDemo } from './ops/demo.js';
export { type InspectResult, inspect } from './ops/inspect.js';
export { type ListOptions, list } from './ops/list.js';
export { StowageMetrics } from './ops/metrics.js';
export { notify, type RunEvent, type WebhookOptions } from './ops/notify.js';
export { ArchiveHandle, type OpenArchiveOptions } from './ops/open-archive.js';
export { type PreflightCheck, type PreflightOptions, preflight } from './ops/preflight.js';
export { type PruneOptions, type PruneResult, prune } from './ops/prune.js';
export { type RestoreOptions, type RestoreSummary, restore } from './ops/restore.js';
export type { JobOutcome } from './ops/run-job.js';
export { type RepositoryStatus, type RepositoryStatusOptions, status } from './ops/status.js';
export { type StreamCheck, type VerifyOptions, type VerifyResult, verify } from './ops/verify.js';
export type { ProgressEvent, ProgressListener } from './progress.js';
export { clearMemorySpace } from './store/memory/memory-repository.js';
export { openRepository, type RepositoryOptions } from './store/open-repository.js';
export { STORES, type StoreKind, type StoreOptions } from './store/registry.js';
export type { Repository, RepositoryFile } from './store/repository.js';
export type { S3Options } from './store/s3/s3-options.js';
export type { Store } from './store/store.js';
export { TOOL_VERSION } from './version.js';
