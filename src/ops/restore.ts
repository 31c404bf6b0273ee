import { type ArchiveKeys, archiveKeys, type Encryption } from '../archive/archive-keys.js';
import { archiveContentKey } from '../archive/content-key.js';
import type { Manifest } from '../archive/manifest.js';
import type { EngineRestoreResult, RestoreWritePlan, WrittenTarget } from '../engines/engine.js';
import { unitsNoun } from '../engines/nouns.js';
import { engineForUrl, enginePlugin } from '../engines/registry.js';
import { StowageError, UsageError } from '../errors.js';
import { ignoreProgress, type ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { repositoryUrlOf } from '../store/open-repository.js';
import type { StoreOptions } from '../store/registry.js';
import type { BackupSummary } from './backup.js';
import { ArchiveHandle, type ArchiveInput, STDIN_ARCHIVE } from './open-archive.js';
import { settlePartialTarget } from './partial-target.js';
import { scrub } from './scrub.js';
import { boundedCleanup, type DEFAULT_STALL_TIMEOUT_SECONDS, watchRun } from './stall-watchdog.js';

export interface RestoreOptions {
  /**
   * The archive: a path, `s3://bucket/prefix/NAME.stow`, or `-` to read it
   * from {@link stdin}; or a handle the caller opened (and closes), so a step
   * around the restore reads the same opened archive (its key cache then
   * serves the safety backup too).
   */
  archive: string | ArchiveHandle;
  /** Where an `archive` of `-` comes from; default: the process's stdin. */
  stdin?: ArchiveInput;
  /** Target connection URL; its scheme must match the archive's engine. */
  target: string;
  /** Parallel connections. Default 2. */
  jobs?: number;
  /**
   * The passphrase or key, or the caller's key cache: the archive's key and the
   * safety backup's are derived once each and shared with the caller.
   */
  encryption?: Encryption;
  /** Engine-specific options: {@link PostgresRestoreOptions} or {@link MongoRestoreOptions}. */
  engineOptions?: Record<string, unknown>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  threads?: number;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
  /**
   * Before restoring into a target that already holds tables or collections,
   * back it up first (a manual backup, never pruned automatically). Default
   * on, into the archive's own repository; `{ to }` puts it elsewhere; `false`
   * skips it. If the safety backup fails, nothing is restored.
   */
  safetyBackup?: boolean | { to?: string };
  /**
   * Ends the restore when no bytes moved (from the store, to the database) for this many seconds,
   * with an error naming the silent server. Default {@link DEFAULT_STALL_TIMEOUT_SECONDS}; 0 disables.
   */
  stallTimeoutSeconds?: number;
  /**
   * Asked once every refusal check has passed and before anything is written
   * (and before the safety backup), with what the restore is about to write;
   * throwing stops the restore with nothing written. The CLI asks the user here.
   */
  confirm?: (plan: RestoreConfirmation) => Promise<void>;
  /**
   * PostgreSQL: restore through a template database cached on the target
   * server, keyed by the archive's content and the engine options. The first
   * such restore loads the archive into the template; every one creates the
   * target (which must not exist) as a copy of it. See `stowage templates`.
   */
  templateCache?: boolean;
  /**
   * A database this restore created (PostgreSQL `create`) and began writing into is dropped again
   * when the restore then fails or is interrupted, so no half-restored database passes for a
   * restored one; true keeps it. A target that existed before the run is never dropped.
   */
  keepFailed?: boolean;
  /**
   * Told once the engine begins writing into the target, with whether this restore created it:
   * for a caller that writes more after the restore (`restoreUntil` replays changes) and must
   * settle a failure of its own the same way.
   */
  onWriteBegun?: (target: WrittenTarget) => void;
}

/** What a restore is about to do, for a confirmation. */
export interface RestoreConfirmation extends RestoreWritePlan {
  manifest: Manifest;
  /** True when a safety backup of {@link RestoreWritePlan.replaced} is taken first. */
  safetyBackup: boolean;
}

export interface RestoreSummary extends EngineRestoreResult {
  archive: string;
  durationMs: number;
  manifest: Manifest;
  /** The safety backup taken of the target before restoring, if one was needed. */
  safetyBackup?: BackupSummary;
  /** With {@link RestoreOptions.templateCache}: the template cloned, and whether this restore loaded it. */
  template?: { name: string; loaded: boolean };
}

/** Restores an archive into the target database. */
export async function restore(options: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now();
  const targetPlugin = engineForUrl(options.target);
  const targetEngine = targetPlugin.name;
  const progress = options.onProgress ?? ignoreProgress;
  // The target's engine, known from its URL, says how far streams read ahead;
  // an archive of another engine is refused below.
  const engine = await targetPlugin.load();
  if (options.templateCache && !engine.templateCache) {
    throw new UsageError(
      `--template-cache needs template databases, which ${targetPlugin.label} does not have`,
      'restore without --template-cache',
    );
  }
  const given = typeof options.archive === 'string' ? undefined : options.archive;
  const path = given?.path ?? (options.archive as string);
  // One key cache for the archive and the safety backup, shared with the caller's.
  const keys = given?.keys ?? archiveKeys(options.encryption);
  const watchdog = await watchRun(options.target, path, options);
  const signal = options.signal ? AbortSignal.any([options.signal, watchdog.signal]) : watchdog.signal;
  // The engine starts on the target (connecting) while the archive opens. Not for an archive on
  // stdin, received whole first (a connection idle that long may meet idle_session_timeout), nor
  // for a template cache, which restores into another database first.
  const begun =
    given || path === STDIN_ARCHIVE || options.templateCache
      ? undefined
      : engine.startRestore?.(options.target, options.engineOptions ?? {}, signal);
  let handle: ArchiveHandle;
  let unwatch: (() => void) | undefined;
  if (given) {
    handle = given;
    unwatch = given.watch((source) => watchdog.watchSource(source));
  } else {
    try {
      handle = await watchdog.race(
        ArchiveHandle.open(path, {
          encryption: keys,
          threads: options.threads,
          stores: options.stores,
          stdin: options.stdin,
          signal: options.signal,
          watch: (source) => watchdog.watchSource(source),
          footerItems: engine.restoreFooterItems,
        }),
      );
    } catch (err) {
      watchdog.stop();
      await begun?.dispose();
      throw err;
    }
  }
  const { reader } = handle;
  /** The target once the engine began writing into it: a failure from then on leaves part of the archive there. */
  let written: WrittenTarget | undefined;
  try {
    const { manifest } = reader;
    if (manifest.engine !== targetEngine) {
      throw new StowageError(
        'engine-mismatch',
        `archive holds a ${manifest.engine} backup but the target is a ${targetEngine} URL`,
        `restore it into a ${enginePlugin(manifest.engine).urlExample} target`,
      );
    }
    const extraWarnings: string[] = [];
    if (options.encryption && !reader.header.encrypted) {
      // Not an error (the archive restores fine), but a sign the wrong archive may have been picked.
      const message = 'a key or passphrase was given, but the archive is not encrypted; it was not used';
      extraWarnings.push(message);
      progress({ type: 'warning', message });
    }
    let safety: BackupSummary | undefined;
    // The engine calls this after its own refusal checks (nothing is written
    // yet), with the units it writes in the target's names, renames applied:
    // a refused restore takes no safety backup, and the backup covers only
    // what the restore replaces.
    const beforeWrite = async (plan: RestoreWritePlan) => {
      await options.confirm?.({ ...plan, manifest, safetyBackup: options.safetyBackup !== false });
      if (options.safetyBackup !== false && plan.replaced.length > 0)
        safety = await takeSafetyBackup(options, path, keys, plan, progress);
      options.signal?.throwIfAborted();
    };
    options.signal?.throwIfAborted();
    const request = {
      beforeWrite,
      url: options.target,
      // The engine's read-ahead: a handle opened for another step has its own default.
      streams: reader.withReadAhead(targetPlugin.restoreReadAhead),
      schema: manifest.schema,
      jobs: options.jobs ?? 2,
      options: options.engineOptions ?? {},
      progress: watchdog.watchProgress(progress),
      signal,
      started: begun,
    };
    const onWriteBegun = (target: WrittenTarget) => {
      written = target;
      options.onWriteBegun?.(target);
    };
    let template: RestoreSummary['template'];
    let result: EngineRestoreResult;
    if (options.templateCache && engine.templateCache) {
      // `create` is implied by the cache and must not split it into two templates.
      const { create: _create, ...shaping } = request.options;
      const cached = await watchdog.race(
        engine.templateCache.restore({
          ...request,
          key: archiveContentKey(manifest, shaping),
          label: `${path === STDIN_ARCHIVE ? 'an archive from stdin' : redactUrl(path)} (${manifest.database}, backed up ${manifest.finishedAt})`,
          onWriteBegun,
        }),
      );
      template = { name: cached.template, loaded: cached.loaded };
      result = cached;
    } else {
      const restoring = engine.restore({
        ...request,
        onWriteBegun,
      });
      result = await watchdog.race(restoring).catch(async (err: unknown) => {
        // A restore that creates its target may have a database to drop again: it is waited for.
        // Others are not (their sessions may wait out a connect timeout to the silent server).
        throw (watchdog.error && request.options.create && (await stallAccount(restoring))) || err;
      });
    }
    return {
      ...result,
      // Restoring an incomplete backup gives an incomplete database: say so with the result.
      warnings: [
        ...(manifest.incomplete?.length
          ? [
              `the archive is an INCOMPLETE backup: the restored database lacks ${manifest.incomplete.join(', ')}`,
            ]
          : []),
        ...extraWarnings,
        ...result.warnings,
      ],
      archive: path,
      durationMs: Date.now() - started,
      manifest,
      ...(safety ? { safetyBackup: safety } : {}),
      ...(template ? { template } : {}),
    };
  } catch (err) {
    // A stall is reported as the watchdog saw it, unless the engine's account of it says more.
    const stalled = err instanceof StowageError && err.code === 'stalled' ? err : watchdog.error;
    const failure = stalled ?? err;
    // A silent server takes no drop (it would wait out its bounds): the stall's account stands.
    throw scrub(
      written && !stalled
        ? await settlePartialTarget(failure, {
            engine,
            url: options.target,
            written,
            keep: !!options.keepFailed,
          })
        : failure,
      options.target,
    );
  } finally {
    watchdog.stop();
    unwatch?.();
    // Not taken over when the restore stopped before connecting (another engine's archive, say).
    await begun?.dispose();
    // A handle the caller opened stays open for its next step.
    if (!given) await boundedCleanup(watchdog, handle.close());
  }
}

/**
 * How long a stalled engine gets to undo what it can: its own waits on a silent server are
 * bounded (PostgreSQL: 5 s for a cancelled statement, 10 s for dropping a database it created).
 */
const STALL_UNDO_GRACE_MS = 20_000;

/**
 * The engine's own report of the stall that aborted it, when it gives one within the grace: the
 * stall error with what it undid or left (a database created before the first write, dropped again
 * or perhaps left). Undefined otherwise; the process must not end before that cleanup anyway.
 */
async function stallAccount(restoring: Promise<unknown>): Promise<StowageError | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    restoring.then(
      () => undefined,
      (err: unknown) => err,
    ),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), STALL_UNDO_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  return outcome instanceof StowageError && outcome.code === 'stalled' ? outcome : undefined;
}

/** Backs up the tables/collections of the target that the restore is about to replace. */
async function takeSafetyBackup(
  options: RestoreOptions,
  archive: string,
  keys: ArchiveKeys | undefined,
  plan: RestoreWritePlan,
  progress: ProgressListener,
): Promise<BackupSummary> {
  const to =
    (typeof options.safetyBackup === 'object' && options.safetyBackup.to) || defaultSafetyLocation(archive);
  const shown = plan.replaced.slice(0, 5).join(', ') + (plan.replaced.length > 5 ? ', …' : '');
  progress({
    type: 'phase',
    phase: 'safety-backup',
    message: `the restore replaces ${plan.replaced.length} ${unitsNoun(engineForUrl(options.target).name, plan.replaced.length)} of ${redactUrl(options.target)} (${shown}): backing them up to ${to} first`,
  });
  // Loaded only when a safety backup is taken: a restore into a new or empty target never needs the backup code.
  const { backup } = await import('./backup.js');
  try {
    return await backup({
      source: options.target,
      to,
      kind: 'manual',
      note: `safety backup taken before restoring ${archive} over it`,
      jobs: options.jobs,
      encryption: keys,
      stores: options.stores,
      engineOptions: plan.backupOptions,
      onProgress: progress,
      signal: options.signal,
      preflight: { skipSource: true },
      ...(options.stallTimeoutSeconds !== undefined
        ? { stallTimeoutSeconds: options.stallTimeoutSeconds }
        : {}),
      // Keeping most of the old contents beats refusing the restore; the archive says what it lacks.
      allowIncomplete: true,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new StowageError(
      'safety-backup-failed',
      `the safety backup of ${redactUrl(options.target)} failed, so nothing was restored: ${message}`,
      'fix the cause, or give --safety-backup-to DIR, or skip it with --no-safety-backup',
      { cause: err },
    );
  }
}

/** The archive's own repository: its folder, or its S3 prefix. An archive read from stdin has none. */
function defaultSafetyLocation(archive: string): string {
  if (archive === STDIN_ARCHIVE) {
    throw new UsageError(
      'the archive comes from stdin, so there is no repository to put the safety backup of the replaced tables/collections in',
      'give --safety-backup-to REPOSITORY, or --no-safety-backup',
    );
  }
  return repositoryUrlOf(archive);
}
