/**
 * Stowage: back up and restore PostgreSQL and MongoDB through their native
 * drivers, into chunked, compressed, checksummed, optionally encrypted `.stow`
 * archives.
 *
 * @example
 * ```ts
 * import { backup, restore } from 'stowage';
 * const { archive } = await backup({ source: 'postgres://app@db/shop', to: './backups' });
 * await restore({ archive, target: 'postgres://app@localhost/shop_test', engineOptions: { create: true } });
 * ```
 * @packageDocumentation
 */
export { type BackupOptions, type BackupSummary, backup } from './ops/backup.js';
export { type RestoreOptions, type RestoreSummary, restore } from './ops/restore.js';
export { type InspectResult, inspect } from './ops/inspect.js';
export type { KeySource } from './archive/keys.js';
export type { Manifest, StreamEntry } from './archive/manifest.js';
export type { CompressionLevel } from './archive/frame-codec.js';
export type { ProgressEvent, ProgressListener } from './progress.js';
export type { PostgresBackupOptions, PostgresRestoreOptions } from './engines/postgres/options.js';
export type { MongoBackupOptions, MongoRestoreOptions } from './engines/mongodb/options.js';
export {
  StowageError,
  UsageError,
  NotAnArchiveError,
  UnsupportedVersionError,
  CorruptFrameError,
  TruncatedArchiveError,
  WrongKeyError,
  KeyRequiredError,
} from './errors.js';
export { ArchiveWriter, type ArchiveWriterOptions } from './archive/writer.js';
export { ArchiveReader, type ArchiveReaderOptions } from './archive/reader.js';
export { scanArchive, type ScanReport } from './archive/scan.js';
export { TOOL_VERSION } from './version.js';
