import type { CompressionLevel } from '../archive/frame-codec.js';
import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import { ArchiveWriter } from '../archive/writer.js';
import { archiveName, databaseFromUrl } from '../catalog/naming.js';
import { engineNameForUrl, loadEngine } from '../engines/registry.js';
import { StowageError } from '../errors.js';
import { ignoreProgress, type ProgressListener } from '../progress.js';
import { redactSecrets, redactUrl } from '../redact.js';
import { openDestination } from '../store/destination.js';
import { TOOL_VERSION } from '../version.js';

export interface BackupOptions {
  /** Source connection URL (`postgres://…`, `mongodb://…`). The engine is chosen by its scheme. */
  source: string;
  /** A folder (the archive gets a generated name), a path ending in `.stow`, or `-` for stdout. */
  to: string;
  /** Parallel connections. Default 2. */
  jobs?: number;
  /** zstd level 1–19 or 'none'. Default 3. */
  compression?: CompressionLevel;
  encryption?: KeySource;
  kind?: 'scheduled' | 'manual';
  note?: string;
  /** Engine-specific options: {@link PostgresBackupOptions} or {@link MongoBackupOptions}. */
  engineOptions?: Record<string, unknown>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Codec worker threads (default: one per core). */
  threads?: number;
}

export interface BackupSummary {
  /** Where the archive was written. */
  archive: string;
  bytes: number;
  streams: number;
  /** Rows or documents in all streams. */
  items: number;
  rawBytes: number;
  durationMs: number;
  manifest: Manifest;
}

/**
 * Backs up one database (or MongoDB deployment) into a new archive. On any
 * failure the partial archive is removed and the error rethrown with the
 * password redacted.
 */
export async function backup(options: BackupOptions): Promise<BackupSummary> {
  const engineName = engineNameForUrl(options.source);
  const engine = await loadEngine(engineName);
  const kind = options.kind ?? 'scheduled';
  const started = new Date();
  const progress = options.onProgress ?? ignoreProgress;
  const sink = await openDestination(options.to, () => archiveName(databaseFromUrl(options.source), started, kind));
  let writer: ArchiveWriter;
  try {
    writer = await ArchiveWriter.create(sink, {
      compression: options.compression,
      encryption: options.encryption,
      threads: options.threads,
    });
  } catch (err) {
    await sink.abort();
    throw err;
  }
  const jobs = options.jobs ?? 2;
  try {
    progress({ type: 'phase', phase: 'backup', message: `backing up ${redactUrl(options.source)} to ${sink.location}` });
    const result = await engine.backup({
      url: options.source,
      streams: writer,
      jobs,
      options: options.engineOptions ?? {},
      progress,
      signal: options.signal,
    });
    options.signal?.throwIfAborted();
    const finished = await writer.finish({
      tool: { name: 'stowage', version: TOOL_VERSION },
      engine: engineName,
      serverVersion: result.serverVersion,
      database: result.database,
      source: redactUrl(options.source),
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      kind,
      note: options.note,
      pointInTime: result.pointInTime,
      options: { jobs, compression: options.compression ?? 3, engine: options.engineOptions ?? {} },
      warnings: result.warnings,
      schema: result.schema,
    });
    const { manifest } = finished;
    return {
      archive: finished.location,
      bytes: finished.bytes,
      streams: manifest.streams.length,
      items: manifest.streams.reduce((n, s) => n + s.items, 0),
      rawBytes: manifest.streams.reduce((n, s) => n + s.rawBytes, 0),
      durationMs: Date.now() - started.getTime(),
      manifest,
    };
  } catch (err) {
    await writer.abort();
    throw scrub(err, options.source);
  }
}

/** Makes sure no error leaving the library carries the connection password. */
export function scrub(err: unknown, url: string): unknown {
  let password: string | undefined;
  try {
    password = decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    password = undefined;
  }
  if (!password || !(err instanceof Error)) return err;
  err.message = redactSecrets(err.message, [password, encodeURIComponent(password)]);
  if (err instanceof StowageError && err.hint) {
    Object.defineProperty(err, 'hint', { value: redactSecrets(err.hint, [password]) });
  }
  return err;
}
