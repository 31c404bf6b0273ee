import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ArchiveKeys } from '../archive/archive-keys.js';
import type { KeySource } from '../archive/keys.js';
import { databaseFromUrl, safeName } from '../catalog/naming.js';
import { UsageError } from '../errors.js';
import type { ProgressListener } from '../progress.js';
import type { StoreOptions } from '../store/registry.js';
import { type BackupSummary, backup } from './backup.js';
import type { ResolvedJob } from './daemon-config.js';
import { notify, type RunEvent } from './notify.js';
import type { PreflightOptions } from './preflight.js';
import { type PruneResult, prune } from './prune.js';
import { type VerifyResult, verify } from './verify.js';

/** What one scheduled run did. */
export interface JobOutcome {
  job: string;
  status: 'success' | 'failure' | 'interrupted';
  startedAt: string;
  finishedAt: string;
  backup?: BackupSummary;
  verify?: VerifyResult;
  prune?: PruneResult;
  /** One line; passwords removed. */
  error?: string;
  /** Problems after a successful backup (verification failed, prune or notification failed). */
  warnings: string[];
}

export interface RunJobContext {
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
  preflight?: PreflightOptions;
  signal?: AbortSignal;
  log: (line: string) => void;
  onProgress?: ProgressListener;
  /**
   * The key cache of the job's previous run, reused when the job's
   * passphrase is unchanged, so retention does not stretch it again for
   * every archive on every run; the run leaves its cache here.
   */
  keys?: { last?: ArchiveKeys };
}

/** The key source a job's `encryption` setting describes. */
export async function jobKeySource(
  job: ResolvedJob,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KeySource | undefined> {
  const e = job.encryption;
  if (!e) return undefined;
  if ('keyFile' in e) return { keyFile: e.keyFile };
  if ('passphraseEnv' in e) {
    const passphrase = env[e.passphraseEnv];
    if (!passphrase)
      throw new UsageError(`job ${job.name}: environment variable ${e.passphraseEnv} is not set`);
    return { passphrase };
  }
  const passphrase = (await readFile(e.passphraseFile, 'utf8')).replace(/\r?\n$/, '');
  return { passphrase };
}

/**
 * The run's key cache: the previous run's when the passphrase is the same.
 * Only passphrases carry over: a key file is read again every run (and its
 * derivation is cheap), so a replaced file is never shadowed by an old key.
 */
function runKeys(
  source: KeySource | undefined,
  carried: { last?: ArchiveKeys } | undefined,
): ArchiveKeys | undefined {
  if (!source) return undefined;
  const last = carried?.last;
  const same =
    last &&
    'passphrase' in source &&
    'passphrase' in last.source &&
    last.source.passphrase === source.passphrase;
  const keys = same ? last : new ArchiveKeys(source);
  if (carried) carried.last = keys;
  return keys;
}

/**
 * One run of a daemon job: back up into the job's repository, verify the
 * new archive (when asked), apply retention, and notify. A failed backup
 * is recorded and reported, never thrown: the daemon keeps running. A failed
 * verification makes the run a failure (the archive stays; the previous
 * verified one is protected from retention).
 */
export async function runJob(job: ResolvedJob, ctx: RunJobContext): Promise<JobOutcome> {
  const startedAt = new Date().toISOString();
  const warnings: string[] = [];
  const outcome: JobOutcome = {
    job: job.name,
    status: 'success',
    startedAt,
    finishedAt: startedAt,
    warnings,
  };
  const database = safeName(databaseFromUrl(job.source));
  // Warnings of the backup and verification (a run record that could not be written…) reach the daemon's log.
  const onProgress: ProgressListener = (event) => {
    if (event.type === 'warning') ctx.log(`job ${job.name}: warning: ${event.message}`);
    ctx.onProgress?.(event);
  };
  try {
    // One key cache for the run: the verify reads the new archive with the key its backup derived.
    const encryption = runKeys(await jobKeySource(job), ctx.keys);
    ctx.log(`job ${job.name}: backup starting`);
    outcome.backup = await backup({
      source: job.source,
      to: job.repository,
      jobs: job.jobs,
      compression: job.compression,
      encryption,
      kind: 'scheduled',
      note: job.note,
      engineOptions: job.engineOptions,
      stores: ctx.stores,
      preflight: ctx.preflight ?? {},
      job: job.name,
      signal: ctx.signal,
      onProgress,
      allowIncomplete: job.allowIncomplete,
      ...(job.stallTimeoutSeconds !== undefined ? { stallTimeoutSeconds: job.stallTimeoutSeconds } : {}),
    });
    if (outcome.backup.manifest.incomplete)
      warnings.push(`INCOMPLETE backup (allowed): it lacks ${outcome.backup.manifest.incomplete.join(', ')}`);
    ctx.log(`job ${job.name}: backed up to ${outcome.backup.archive} (${outcome.backup.bytes} bytes)`);
    if (job.verify) {
      const restoreTest = typeof job.verify === 'object' ? job.verify.restoreTest : undefined;
      outcome.verify = await verify({
        archive: outcome.backup.archive,
        encryption,
        stores: ctx.stores,
        restoreTest,
        restoreOptions: typeof job.verify === 'object' ? job.verify.restoreOptions : undefined,
        signal: ctx.signal,
        onProgress,
      });
      if (outcome.verify.recordWarning) warnings.push(outcome.verify.recordWarning);
      if (!outcome.verify.ok) {
        outcome.status = 'failure';
        outcome.error = `verification failed: ${outcome.verify.problems[0]}`;
      }
      ctx.log(
        `job ${job.name}: verification ${outcome.verify.ok ? 'passed' : `FAILED: ${outcome.verify.problems.join('; ')}`}`,
      );
    }
    if (job.prune !== false) {
      try {
        outcome.prune = await prune({
          repository: job.repository,
          policy: job.retention,
          database,
          encryption,
          stores: ctx.stores,
        });
        if (outcome.prune.deleted.length)
          ctx.log(`job ${job.name}: retention deleted ${outcome.prune.deleted.join(', ')}`);
        for (const w of outcome.prune.warnings) {
          warnings.push(`retention: ${w}`);
          ctx.log(`job ${job.name}: retention warning: ${w}`);
        }
      } catch (err) {
        warnings.push(`retention: ${(err as Error).message}`);
        ctx.log(`job ${job.name}: retention failed: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    outcome.status = ctx.signal?.aborted ? 'interrupted' : 'failure';
    outcome.error = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    ctx.log(
      `job ${job.name}: ${outcome.status === 'interrupted' ? 'interrupted' : 'FAILED'}: ${outcome.error}`,
    );
  }
  outcome.finishedAt = new Date().toISOString();
  if (job.notify) {
    const event: RunEvent = {
      status: outcome.status,
      job: job.name,
      database,
      repository: job.repository,
      host: hostname(),
      durationMs: Date.parse(outcome.finishedAt) - Date.parse(startedAt),
      ...(outcome.backup ? { archive: outcome.backup.archive, bytes: outcome.backup.bytes } : {}),
      ...(outcome.verify ? { verified: outcome.verify.ok } : {}),
      ...(outcome.prune ? { pruned: outcome.prune.deleted.length } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    try {
      await notify({ url: job.notify.webhook, ...job.notify }, event);
    } catch (err) {
      warnings.push((err as Error).message);
      ctx.log(`job ${job.name}: notification failed: ${(err as Error).message}`);
    }
  }
  return outcome;
}
