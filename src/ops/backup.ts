import type { Encryption } from '../archive/archive-keys.js';
import type { CompressionLevel } from '../archive/frame-codec.js';
import type { Manifest } from '../archive/manifest.js';
import { PACK_FROM_ITEMS, PackedJson, unpackOnRead } from '../archive/packed-json.js';
import { ArchiveWriter } from '../archive/writer.js';
import { type BackupKind, manifestKindFields } from '../catalog/backup-kind.js';
import { removeStaleLeftovers } from '../catalog/leftovers.js';
import { archiveName, chainIdOf, databaseFromParsableUrl, databaseFromUrl } from '../catalog/naming.js';
import { recordRun } from '../catalog/run-record.js';
import type {
  EngineBackupRequest,
  EngineBackupResult,
  EngineName,
  StreamWriterSet,
} from '../engines/engine.js';
import type { SourceConnecting } from '../engines/plugin.js';
import { allEngines, engineNameForUrl, loadEngine, openSourceConnection } from '../engines/registry.js';
import { StowageError, UsageError } from '../errors.js';
import { ignoreProgress, type ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { resolveDestination } from '../store/destination.js';
import type { StoreOptions } from '../store/registry.js';
import { TOOL_VERSION } from '../version.js';
import { checkReachable, sourceCheck } from './database-probe.js';
import { type PreflightCheck, type PreflightOptions, startPreflight } from './preflight.js';
import { scrub } from './scrub.js';
import { serverOnThisMachine } from './source-host.js';
import { boundedCleanup, type DEFAULT_STALL_TIMEOUT_SECONDS, watchRun } from './stall-watchdog.js';

/**
 * Default zstd level per engine: each engine plugin's `defaultCompression`,
 * chosen on the bench datasets (figures in docs/BENCHMARKS.md, "Design measurements").
 */
export const DEFAULT_COMPRESSION_BY_ENGINE: Readonly<Record<EngineName, CompressionLevel>> =
  Object.fromEntries(allEngines().map((e) => [e.name, e.defaultCompression])) as Record<
    EngineName,
    CompressionLevel
  >;

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
  /** The passphrase or key, or the caller's key cache (a verify after the backup then derives no key). */
  encryption?: Encryption;
  /**
   * `scheduled` (default: the daemon's), `on-demand` (run by hand, pruned by
   * the keep rules like a scheduled one) or `manual` (never pruned).
   */
  kind?: BackupKind;
  note?: string;
  /** Engine-specific options: {@link PostgresBackupOptions} or {@link MongoBackupOptions}. */
  engineOptions?: Record<string, unknown>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * Codec worker threads. Default: see defaultCodecThreads; at compression levels up to 3 it leaves
   * a core to the main thread and, when the server runs on this machine, one per job to the server.
   * They start only once the backup has compressed 16 MiB inline (see inlineFirstBytes): a small
   * database never pays for them.
   */
  threads?: number;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
  /**
   * Checks before dumping: repository writable, free space, source reachable.
   * Default on for repositories and files, off for stdout; `false` skips them.
   */
  preflight?: boolean | PreflightOptions;
  /** The daemon job name, recorded in the run record. */
  job?: string;
  /**
   * Ends the backup when no bytes moved (from the database, to the store) for this many seconds,
   * with an error naming the silent server. Default {@link DEFAULT_STALL_TIMEOUT_SECONDS}; 0 disables.
   */
  stallTimeoutSeconds?: number;
  /**
   * Keep the backup even when the engine reports objects it cannot carry; the
   * manifest then lists them as incomplete. Default false: such a backup fails
   * and leaves no archive.
   */
  allowIncomplete?: boolean;
  /**
   * Continuous backup (`stowage follow`): this backup is a new chain's base.
   * The change feed takes it (`take`, consistent with the feed's start)
   * instead of the engine's plain backup, and the manifest marks the archive
   * as the base of the chain named after it.
   */
  chainBase?: ChainBaseRequest;
  /**
   * The backup's first connection to {@link source}, already being opened by the caller with
   * {@link openSourceConnection} (given the same source and {@link engineOptions}): the CLI opens
   * it before the backup's modules load, so the server's session start and authentication overlap
   * their loading. The backup takes it over as if it had opened it: the preflight checks the source
   * through it and the engine works on it; it is closed when the backup ends without the engine
   * taking it (a failed preflight, say). Default: the backup opens it itself.
   */
  sourceConnection?: SourceConnecting;
  /**
   * Routes the engine's streams through the caller's writer set on their way
   * to the archive (`stowage bench --restore-into` measures them); the set
   * must forward every byte and end each stream it was given.
   */
  streamsThrough?: (archive: StreamWriterSet) => StreamWriterSet;
  /**
   * Items of a list in the engine's schema (PostgreSQL: its objects) from which the engine keeps
   * it packed until the footer (archive/packed-json.ts). Default {@link PACK_FROM_ITEMS}; lower only in tests.
   */
  packSchemaFromItems?: number;
}

/** See {@link BackupOptions.chainBase}. */
export interface ChainBaseRequest {
  /** The engine's name for the chain's server-side state. */
  feedId: string;
  /** The feed's start position. */
  after: string;
  take: (request: Omit<EngineBackupRequest, 'url' | 'options'>) => Promise<EngineBackupResult>;
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
export async function backup(options: BackupOptions): Promise<BackupSummary> {
  const cleanup = { coversConnection: false };
  try {
    return await runBackup(options, cleanup);
  } catch (err) {
    // The caller's connection, when the backup stopped before its own cleanup covered it (an
    // unusable destination, say).
    if (!cleanup.coversConnection) await options.sourceConnection?.dispose();
    throw err;
  }
}

async function runBackup(
  options: BackupOptions,
  cleanup: { coversConnection: boolean },
): Promise<BackupSummary> {
  const engineName = engineNameForUrl(options.source);
  const kind = options.kind ?? 'scheduled';
  const started = new Date();
  const progress = options.onProgress ?? ignoreProgress;
  const database = databaseFromUrl(options.source);
  // A URL that does not parse never reaches a server: no run record for a database that does not exist.
  const recordable = databaseFromParsableUrl(options.source) !== undefined;
  const destination = await resolveDestination(
    options.to,
    (sequence) => archiveName(database, started, kind, sequence),
    {
      stores: options.stores,
    },
  );
  const { repository } = destination;
  const watchdog = await watchRun(options.source, options.to, options);
  const signal = options.signal ? AbortSignal.any([options.signal, watchdog.signal]) : watchdog.signal;
  const record = async (
    status: 'success' | 'failure' | 'interrupted',
    extra: { archive?: string; bytes?: number; error?: string },
  ) => {
    if (!repository || !destination.generated || !recordable) return;
    // The repository may be the very thing that failed (disk full, unreachable): then a local record and a warning.
    const warning = await recordRun(repository, {
      database,
      status,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      ...(options.job ? { job: options.job } : {}),
      ...extra,
    });
    if (warning) progress({ type: 'warning', message: warning });
  };
  // The engine's modules load while the preflight waits on the repository and the source:
  // for a small database that CPU is a good part of the run, and the waits are idle time.
  const loadingEngine = loadEngine(engineName);
  loadingEngine.catch(() => {}); // awaited below; a failure surfaces there
  // The backup's first connection: the caller's, already opening, or opened now, alongside the
  // preflight, which checks the source through it. The engine takes it over (a continuous backup's
  // base connects its own way; a connection the caller opened is then only the preflight's).
  const connecting =
    options.sourceConnection ??
    (options.chainBase
      ? undefined
      : openSourceConnection(options.source, options.engineOptions ?? {}, signal, options.jobs ?? 2));
  cleanup.coversConnection = true;
  try {
    let checks: PreflightCheck[] = [];
    // The source's check, answered once it has connected and authenticated: awaited just before the
    // engine starts, so that the archive is made ready meanwhile (see startPreflight).
    let sourceChecked: (() => Promise<PreflightCheck>) | undefined;
    if (repository && options.preflight !== false) {
      progress({ type: 'phase', phase: 'preflight', message: `checking ${repository.url} and the source` });
      const started = startPreflight(
        repository,
        options.source,
        options.preflight === true ? {} : options.preflight,
        connecting ? sourceCheck(connecting, options.source) : (source) => checkReachable(source, signal),
      );
      checks = await started.repository;
      sourceChecked = started.source;
      for (const c of checks) if (c.status === 'warn') progress({ type: 'warning', message: c.message });
    }
    if (repository) {
      // Housekeeping for killed backups before this one: their unfinished files and uploads.
      const { removed, failures } = await removeStaleLeftovers(repository);
      for (const l of removed) {
        progress({
          type: 'phase',
          phase: 'preflight',
          message: `removed what a killed backup left: ${l.kind} of ${l.name} (${l.bytes} bytes; ${l.why})`,
        });
      }
      for (const f of failures) progress({ type: 'warning', message: f });
    }
    if (options.chainBase && !destination.generated) {
      throw new UsageError(
        `a continuous backup needs a repository, not ${options.to}`,
        'give a folder or s3://bucket/prefix to --to',
      );
    }
    const engine = await loadingEngine;
    const compression = options.compression ?? DEFAULT_COMPRESSION_BY_ENGINE[engineName];
    const sink = watchdog.watchSink(await destination.open());
    const jobs = options.jobs ?? 2;
    let writer: ArchiveWriter;
    try {
      writer = await ArchiveWriter.create(sink, {
        compression,
        encryption: options.encryption,
        threads: options.threads,
        // A server on this machine keeps about one core busy per job.
        busyCores: serverOnThisMachine(options.source) ? jobs : 0,
      });
    } catch (err) {
      await boundedCleanup(watchdog, sink.abort());
      throw err;
    }
    // The engine's connections, ending while the footer is written (EngineBackupResult.closing).
    let engineClosing: Promise<void> | undefined;
    try {
      // A source that fails its check removes the archive just begun, as any failure from here does.
      if (sourceChecked) checks.push(await sourceChecked());
      progress({
        type: 'phase',
        phase: 'backup',
        message: `backing up ${redactUrl(options.source)} to ${sink.location}`,
      });
      const request = {
        streams: options.streamsThrough ? options.streamsThrough(writer) : writer,
        jobs,
        progress: watchdog.watchProgress(progress),
        signal,
        onIncomplete: (missing: string[]) => {
          if (!options.allowIncomplete) throw incompleteError(missing);
        },
        packJson: (value: unknown) => PackedJson.pack(value, options.packSchemaFromItems),
      };
      const result = await watchdog.race(
        options.chainBase
          ? options.chainBase.take(request)
          : engine.backup({
              ...request,
              url: options.source,
              options: options.engineOptions ?? {},
              source: connecting,
            }),
      );
      engineClosing = result.closing;
      signal.throwIfAborted();
      const incomplete = result.incomplete?.length ? result.incomplete : undefined;
      if (incomplete && !options.allowIncomplete) throw incompleteError(incomplete);
      const finishing = writer.finish({
        tool: { name: 'stowage', version: TOOL_VERSION },
        engine: engineName,
        serverVersion: result.serverVersion,
        database: result.database,
        source: redactUrl(options.source),
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        ...manifestKindFields(kind),
        note: options.note,
        pointInTime: result.pointInTime,
        options: {
          jobs,
          compression,
          engine: options.engineOptions ?? {},
        },
        warnings: result.warnings,
        ...(incomplete ? { incomplete } : {}),
        schema: result.schema,
        ...(options.chainBase
          ? {
              chain: {
                id: chainIdOf(destination.name ?? ''),
                feedId: options.chainBase.feedId,
                role: 'base' as const,
                sequence: 0,
                after: options.chainBase.after,
                transactions: 0,
              },
            }
          : {}),
      });
      const finished = await watchdog.race(finishing);
      await watchdog.race(engineClosing ?? Promise.resolve());
      const { manifest } = finished;
      // The caller gets the schema the engine built, unpacked if it asks for it.
      unpackOnRead(manifest.schema);
      await record('success', { archive: destination.name, bytes: finished.bytes });
      return {
        archive: finished.location,
        bytes: finished.bytes,
        streams: manifest.streams.length,
        items: manifest.streams.reduce((n, s) => n + s.items, 0),
        rawBytes: manifest.streams.reduce((n, s) => n + s.rawBytes, 0),
        durationMs: Date.now() - started.getTime(),
        manifest,
        preflight: checks,
      };
    } catch (err) {
      await boundedCleanup(watchdog, writer.abort());
      if (engineClosing) await boundedCleanup(watchdog, engineClosing);
      throw watchdog.error ?? err;
    }
  } catch (err) {
    const clean = scrub(watchdog.error ?? err, options.source);
    const message = clean instanceof Error ? clean.message : String(clean);
    // A usage error (bad flag, bad URL) never reached a server: nothing ran, so nothing is recorded.
    if (!(clean instanceof UsageError)) {
      await record(options.signal?.aborted ? 'interrupted' : 'failure', { error: message.split('\n')[0] });
    }
    throw clean;
  } finally {
    watchdog.stop();
    // Still ours when the backup stopped before the engine took it (a failed preflight).
    if (connecting) await boundedCleanup(watchdog, connecting.dispose());
    await boundedCleanup(watchdog, repository?.close() ?? Promise.resolve());
  }
}

/** The refusal of a backup that would miss objects the source has. */
export function incompleteError(missing: string[]): StowageError {
  return new StowageError(
    'incomplete-backup',
    `backup refused: the source has objects that cannot be backed up: ${missing.join(', ')}`,
    'pass --allow-incomplete (daemon: allowIncomplete: true) to keep a backup marked INCOMPLETE',
  );
}

// In its own module, so that a restore has it without loading the backup.
export { scrub };
