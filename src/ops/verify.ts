import { archiveKeys, type Encryption } from '../archive/archive-keys.js';
import type { Manifest } from '../archive/manifest.js';
import { type ScanReport, scanArchive } from '../archive/scan.js';
import { digestName, recordedDigest, sameDigest } from '../archive/stream-digest.js';
import {
  type VerificationRecord,
  withholdContents,
  writeVerificationRecord,
} from '../catalog/verification-record.js';
import { counted, countUnits } from '../engines/nouns.js';
import { engineNameForUrl, enginePlugin } from '../engines/registry.js';
import { KeyRequiredError, StowageError, UsageError, WrongKeyError } from '../errors.js';
import { ignoreProgress, type ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { resolveArchiveRef } from '../store/open-repository.js';
import type { StoreOptions } from '../store/registry.js';
import { TOOL_VERSION } from '../version.js';
import { scrub } from './backup.js';
import { type ContentComparison, compareWithDatabase, isDataStream } from './content-check.js';
import { inspectTarget } from './database-probe.js';
import { ArchiveHandle } from './open-archive.js';
import { restore } from './restore.js';
import { dropScratchDatabases } from './scratch-cleanup.js';

export interface VerifyOptions {
  /** The archive: a path or `s3://bucket/prefix/NAME.stow`. */
  archive: string;
  /**
   * The passphrase or key, or the caller's key cache: the archive is opened
   * once and its key derived once for the check, the test restore and the comparison.
   */
  encryption?: Encryption;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
  /**
   * Also restore into this scratch database, compare every table's or
   * collection's count and content with the archive, and drop it afterwards.
   * It must not exist or be empty: a database holding anything is refused.
   */
  restoreTest?: string;
  /** Engine options for the test restore (e.g. PostgreSQL's INSERT path for targets without COPY). */
  restoreOptions?: Record<string, unknown>;
  jobs?: number;
  /** Record the result beside the archive (`NAME.stow.verify.json`). Default true. */
  record?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** What verification found for one stream. */
export interface StreamCheck {
  name: string;
  items: number;
  rawBytes: number;
  frames: number;
  ok: boolean;
  problem?: string;
}

export interface VerifyResult {
  archive: string;
  ok: boolean;
  level: 'frames' | 'restore-test';
  /** Everything that failed, one line each. */
  problems: string[];
  streams: StreamCheck[];
  restoreTest?: ContentComparison & { target: string; ok: boolean };
  /**
   * What the backup lacks, from its manifest: an intact archive of an
   * incomplete backup verifies (`ok`), but is never shown as complete.
   */
  incomplete?: string[];
  durationMs: number;
  /** The record written beside the archive (or that would have been, with `record: false`). */
  record: VerificationRecord;
  /** Why the record could not be written (read-only repository…); the check result above stands. */
  recordWarning?: string;
}

/**
 * Verifies an archive: reads every frame front to back (checksums,
 * decryption, decompression), recomputes every stream's digest, and checks
 * each stream's length, frame count and row/document count against the
 * manifest. With `restoreTest`, also restores it into a scratch database and
 * compares the data with the archive. The result is recorded beside the
 * archive for `list`, `status` and retention.
 *
 * A damaged archive is a result (`ok: false`), not an exception; a missing
 * archive, a wrong key or an unusable scratch database throw.
 */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now();
  const progress = options.onProgress ?? ignoreProgress;
  if (options.restoreTest) engineNameForUrl(options.restoreTest); // bad scheme: usage error before any work
  const { repository, name } = await resolveArchiveRef(options.archive, { stores: options.stores });
  const keys = archiveKeys(options.encryption);
  // Opened once: the manifest, the test restore and the comparison read through it.
  let handle: ArchiveHandle | undefined;
  try {
    const problems: string[] = [];
    let streams: StreamCheck[] = [];
    let manifest: Manifest | undefined;
    let archiveBytes = 0;
    progress({
      type: 'phase',
      phase: 'verify',
      message: `reading the manifest of ${repository.locate(name)}`,
    });
    try {
      handle = await ArchiveHandle.fromSource(repository.locate(name), await repository.openArchive(name), {
        encryption: keys,
      });
      manifest = handle.manifest;
    } catch (err) {
      // Some other file (not named like an archive): say so, and leave no verification record beside it.
      if (err instanceof StowageError && err.code === 'not-an-archive' && !name.endsWith('.stow')) {
        throw new StowageError(
          'not-an-archive',
          `not a stowage archive: ${repository.locate(name)}`,
          'give a .stow archive (stowage list REPOSITORY shows them)',
        );
      }
      if (!isArchiveDamage(err)) throw err;
      problems.push((err as Error).message);
    }
    if (manifest) {
      progress({
        type: 'phase',
        phase: 'verify',
        message: `checking every frame of ${counted(manifest.streams.length, 'stream')}`,
      });
      // Front to back is another way of reading (on S3 one streaming request), so a source of its own;
      // the key comes from the cache.
      const source = await repository.openArchive(name, { sequential: true });
      archiveBytes = source.size;
      let report: ScanReport;
      try {
        report = await scanArchive(source, keys);
      } finally {
        await source.close();
      }
      streams = compareScan(manifest, report, problems);
      if (report.stoppedAt && handle) await checkPastDamage(handle, streams, problems);
    } else {
      const source = await repository.openArchive(name).catch(() => undefined);
      archiveBytes = source?.size ?? 0;
      await source?.close();
    }
    options.signal?.throwIfAborted();

    let restoreTest: VerifyResult['restoreTest'];
    if (options.restoreTest && handle && problems.length === 0) {
      restoreTest = await runRestoreTest(handle, options.restoreTest, options, progress);
      problems.push(...restoreTest.mismatches.map((m) => `restore test: ${m}`));
    } else if (options.restoreTest) {
      problems.push('restore test skipped: the archive failed verification');
    }
    const ok = problems.length === 0;
    const record: VerificationRecord = {
      archive: name,
      verifiedAt: new Date().toISOString(),
      ok,
      level: options.restoreTest ? 'restore-test' : 'frames',
      archiveBytes,
      ...(manifest ? { manifestFinishedAt: manifest.finishedAt } : {}),
      streams: manifest?.streams.length ?? 0,
      items: manifest?.streams.reduce((n, s) => n + s.items, 0) ?? 0,
      durationMs: Date.now() - started,
      problems,
      ...(restoreTest
        ? {
            restoreTest: {
              target: restoreTest.target,
              ok: restoreTest.ok,
              compared: restoreTest.compared,
              mismatches: restoreTest.mismatches,
            },
          }
        : {}),
      tool: TOOL_VERSION,
    };
    let recordWarning: string | undefined;
    if (options.record !== false) {
      try {
        // Beside an encrypted archive the side file is plaintext: it must not tell what the archive holds.
        const encrypted = manifest?.encrypted ?? options.encryption !== undefined;
        await writeVerificationRecord(repository, encrypted ? withholdContents(record) : record);
      } catch (err) {
        // The check itself is done: a repository we may only read must not turn its result into an error.
        recordWarning = `could not record the result beside the archive: ${(err as Error).message.split('\n')[0]}`;
        progress({ type: 'warning', message: recordWarning });
      }
    }
    return {
      ...(recordWarning ? { recordWarning } : {}),
      archive: repository.locate(name),
      ok,
      level: record.level,
      problems,
      streams,
      ...(restoreTest ? { restoreTest } : {}),
      ...(manifest?.incomplete?.length ? { incomplete: manifest.incomplete } : {}),
      durationMs: record.durationMs,
      record,
    };
  } finally {
    await handle?.close();
    await repository.close();
  }
}

/** Damage to the archive itself, as opposed to a missing file, a wrong key, or an unreachable store. */
function isArchiveDamage(err: unknown): boolean {
  if (err instanceof WrongKeyError || err instanceof KeyRequiredError) return false;
  if (!(err instanceof StowageError)) return false;
  return ['not-an-archive', 'unsupported-version', 'corrupt-frame', 'truncated', 'corrupt-header'].includes(
    err.code,
  );
}

/** Checks the front-to-back scan against the manifest, stream by stream. */
function compareScan(manifest: Manifest, report: ScanReport, problems: string[]): StreamCheck[] {
  if (report.stoppedAt)
    problems.push(`scan stopped at offset ${report.stoppedAt.offset}: ${report.stoppedAt.reason}`);
  else if (!report.footerFound) problems.push('the footer was not found where the frames end');
  const scanned = new Map(report.streams.map((s) => [s.name, s]));
  const checks: StreamCheck[] = [];
  for (const entry of manifest.streams) {
    const s = scanned.get(entry.name);
    scanned.delete(entry.name);
    let problem: string | undefined;
    if (!s) problem = 'not found in the archive';
    else if (!s.complete) problem = `incomplete: ${s.dataFrames} of ${entry.frames} frames readable`;
    else if (s.dataFrames !== entry.frames) problem = `${s.dataFrames} frames, manifest says ${entry.frames}`;
    else if (s.rawBytes !== entry.rawBytes) problem = `${s.rawBytes} bytes, manifest says ${entry.rawBytes}`;
    else if (!sameDigest(s.digest, entry))
      problem = `${digestName(recordedDigest(entry).algorithm)} does not match the manifest`;
    else if (s.items !== entry.items)
      problem = `${s.items} items recorded in the stream, manifest says ${entry.items}`;
    if (problem) problems.push(`stream ${entry.name}: ${problem}`);
    checks.push({
      name: entry.name,
      items: entry.items,
      rawBytes: entry.rawBytes,
      frames: entry.frames,
      ok: !problem,
      ...(problem ? { problem } : {}),
    });
  }
  for (const extra of scanned.keys())
    problems.push(`stream ${extra ?? '(unnamed)'} is in the archive but not in the manifest`);
  return checks;
}

/**
 * After the front-to-back walk stopped at damage, reads each stream it did not
 * see whole through the footer's index (every data frame's place, size and CRC;
 * the stream's digest and length), which is how a restore reads it. Only the
 * streams whose data is really damaged stay failed; the walk's stop stays a
 * problem, because recovery without the footer would end there.
 */
async function checkPastDamage(handle: ArchiveHandle, streams: StreamCheck[], problems: string[]) {
  const unchecked = streams.filter((s) => !s.ok);
  for (const check of unchecked) {
    const line = problems.indexOf(`stream ${check.name}: ${check.problem}`);
    if (line < 0) continue;
    try {
      for await (const _ of handle.reader.open(check.name, 1));
      check.ok = true;
      delete check.problem;
      problems.splice(line, 1);
    } catch (err) {
      // Damage, or a stream the footer's index does not place; anything else (this machine's) is thrown.
      if (!(err instanceof StowageError) || !['corrupt-frame', 'missing-stream'].includes(err.code))
        throw err;
      check.problem = err.message.replace(` in stream ${check.name}`, '');
      problems[line] = `stream ${check.name}: ${check.problem}`;
    }
  }
  const stop = problems.findIndex((p) => p.startsWith('scan stopped at '));
  if (stop >= 0 && unchecked.length > 0 && unchecked.every((s) => s.ok)) {
    problems[stop] += "; past it, every stream's data was read whole through the footer's index";
  }
}

/**
 * Restores into a scratch database, compares, and drops it. The scratch
 * database must be absent or empty, so a mistyped production URL is refused
 * before anything is written.
 */
async function runRestoreTest(
  handle: ArchiveHandle,
  scratch: string,
  options: VerifyOptions,
  progress: ProgressListener,
): Promise<ContentComparison & { target: string; ok: boolean }> {
  const { manifest } = handle;
  const engine = engineNameForUrl(scratch);
  if (engine !== manifest.engine) {
    throw new UsageError(
      `--restore-test needs a ${manifest.engine} URL: the archive holds a ${manifest.engine} backup`,
    );
  }
  // Where the test restore writes is the engine's to say (MongoDB maps each archived database into the scratch one).
  const plan = enginePlugin(manifest.engine).scratchPlan(
    scratch,
    manifest.streams.filter((s) => isDataStream(s.name)).map((s) => s.name),
  );
  for (const url of plan.databases) {
    const contents = await inspectTarget(url);
    if (contents.objects > 0) {
      throw new StowageError(
        'scratch-not-empty',
        `scratch database ${redactUrl(url)} is not empty (${countUnits(manifest.engine, contents.objects)}, e.g. ${contents.sample.join(', ')}): refusing to restore into it and drop it`,
        'name a database that does not exist; the restore test creates it and drops it afterwards',
      );
    }
  }
  const target = redactUrl(scratch);
  try {
    progress({ type: 'phase', phase: 'restore-test', message: `restoring into scratch database ${target}` });
    await restore({
      archive: handle,
      encryption: handle.keys,
      target: plan.restoreUrl,
      stores: options.stores,
      jobs: options.jobs,
      engineOptions: { ...plan.restoreOptions, ...options.restoreOptions },
      onProgress: progress,
      signal: options.signal,
      safetyBackup: false,
    });
    progress({
      type: 'phase',
      phase: 'restore-test',
      message: 'comparing every table/collection with the archive',
    });
    const comparison = await compareWithDatabase(handle.reader, plan.compareUrl, {
      rename: plan.rename,
      backupOptions: plan.backupOptions,
      jobs: options.jobs,
      signal: options.signal,
    });
    return { ...comparison, target, ok: comparison.mismatches.length === 0 };
  } catch (err) {
    throw scrub(err, scratch);
  } finally {
    await dropScratchDatabases(plan.databases, 'restore-test', progress);
  }
}
