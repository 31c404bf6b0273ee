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
export { ArchiveReader } from './archive/reader.js';
export { scanArchive } from './archive/scan.js';
export { ArchiveWriter } from './archive/writer.js';
export { CorruptFrameError, KeyRequiredError, NotAnArchiveError, StowageError, TruncatedArchiveError, UnsupportedVersionError, UsageError, WrongKeyError, } from './errors.js';
export { backup, DEFAULT_COMPRESSION_BY_ENGINE, } from './ops/backup.js';
export { Daemon } from './ops/daemon.js';
export { loadDaemonConfig, parseDaemonConfig } from './ops/daemon-config.js';
export { runDemo } from './ops/demo.js';
export { inspect } from './ops/inspect.js';
export { list } from './ops/list.js';
export { StowageMetrics } from './ops/metrics.js';
export { notify } from './ops/notify.js';
export { preflight } from './ops/preflight.js';
export { prune } from './ops/prune.js';
export { restore } from './ops/restore.js';
export { status } from './ops/status.js';
export { verify } from './ops/verify.js';
export { openRepository } from './store/open-repository.js';
export { TOOL_VERSION } from './version.js';
//# sourceMappingURL=index.js.map