import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { EngineRestoreResult } from '../engines/engine.js';
import { engineNameForUrl, loadEngine } from '../engines/registry.js';
import { StowageError } from '../errors.js';
import { ignoreProgress, type ProgressListener } from '../progress.js';
import { scrub } from './backup.js';
import { openArchive } from './open-archive.js';

export interface RestoreOptions {
  /** Path of the archive to restore. */
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
}

export interface RestoreSummary extends EngineRestoreResult {
  archive: string;
  durationMs: number;
  manifest: Manifest;
}

/** Restores an archive into the target database. */
export async function restore(options: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now();
  const targetEngine = engineNameForUrl(options.target);
  const reader = await openArchive(options.archive, { encryption: options.encryption, threads: options.threads });
  try {
    const { manifest } = reader;
    if (manifest.engine !== targetEngine) {
      throw new StowageError(
        'engine-mismatch',
        `archive holds a ${manifest.engine} backup but the target is a ${targetEngine} URL`,
        `restore it into a ${manifest.engine === 'postgres' ? 'postgres://' : 'mongodb://'} target`,
      );
    }
    const engine = await loadEngine(manifest.engine);
    const progress = options.onProgress ?? ignoreProgress;
    const result = await engine.restore({
      url: options.target,
      streams: reader,
      schema: manifest.schema,
      jobs: options.jobs ?? 2,
      options: options.engineOptions ?? {},
      progress,
      signal: options.signal,
    });
    return { ...result, archive: options.archive, durationMs: Date.now() - started, manifest };
  } catch (err) {
    throw scrub(err, options.target);
  } finally {
    await reader.close();
  }
}
