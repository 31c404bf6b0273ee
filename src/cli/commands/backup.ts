import { hostname } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Command } from 'commander';
import type { CompressionLevel } from '../../archive/frame-codec.js';
import { BACKUP_KINDS, type BackupKind, kindOfManifest } from '../../catalog/backup-kind.js';
import { countItems, countUnits } from '../../engines/nouns.js';
import type { SourceConnecting } from '../../engines/plugin.js';
import { databaseOfUrl, engineNameForUrl, loadEngine, openSourceConnection } from '../../engines/registry.js';
import { UsageError } from '../../errors.js';
import type { backup } from '../../ops/backup.js';
import type { RunEvent, WebhookOptions } from '../../ops/notify.js';
import type { CliContext } from '../context.js';
import { addEngineFlags, BACKUP_FLAGS, engineOptionsFrom } from '../engine-flags.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { parseJobs, parseStallTimeout } from '../parse-number.js';
import { passwordOnCommandLine } from '../password-warning.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';

export function backupCommand(ctx: CliContext): Command {
  const command = new Command('backup')
    .description('back up a database into a .stow archive')
    .argument('<source-url>', 'postgres://… or mongodb://… (the password is never printed or stored)')
    .requiredOption(
      '--to <destination>',
      'repository (folder or s3://bucket/prefix; the archive gets a generated name), path ending in .stow, or - for stdout',
    )
    .option('-j, --jobs <n>', 'parallel connections', '2')
    .option(
      '--stall-timeout <seconds>',
      'end the run when no bytes moved for this long, naming the silent server (0 = never)',
      '120',
    )
    .option('--compression <level>', 'zstd level 1-19, or none (default: 1 for PostgreSQL, 6 for MongoDB)')
    .option('--note <text>', 'free-text note stored in the manifest')
    .option(
      '--kind <kind>',
      'manual: kept until deleted by hand (the default); on-demand: run by hand, prune may delete it by its keep rules; scheduled: part of a schedule (cron; the daemon labels its own)',
    )
    .option('--manual', 'same as --kind manual')
    .option('--scheduled', 'same as --kind scheduled')
    .option(
      '--allow-incomplete',
      'keep the backup even when the source has objects stowage cannot back up (the archive is marked INCOMPLETE)',
    )
    .option(
      '--no-preflight',
      'skip the checks before dumping (repository writable, free space, source reachable)',
    )
    .option(
      '--notify <when>',
      `post the outcome to the webhook in $${WEBHOOK_ENV}: failure (the default when it is set), always, never`,
    )
    .option('--json', 'print one JSON object on stdout');
  addEngineFlags(command, BACKUP_FLAGS);
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage backup postgres://app@localhost/shop --to ./backups
  $ AWS_ENDPOINT_URL_S3=http://minio:9000 stowage backup postgres://app@db/shop --to s3://backups/prod
  $ stowage backup mongodb://localhost:27017/shop --to ./backups --jobs 4 --compression 6
  $ STOWAGE_PASSPHRASE=… stowage backup postgres://app@db/shop --to shop.stow --note "before migration" --manual
  $ stowage backup postgres://app@db/shop --to ./backups --kind on-demand   # an extra backup retention may prune`,
  );
  command.action(async (source: string, opts: Record<string, unknown>) => {
    if (opts.json && opts.to === '-')
      throw new UsageError(
        '--json and --to - both write to stdout: the JSON would land inside the archive',
        'drop --json (the summary goes to stderr), or give --to a file or repository',
      );
    const engine = engineNameForUrl(source);
    const exposed = passwordOnCommandLine(source, 'source');
    if (exposed) ctx.log(`warning: ${exposed}`);
    // Read the connection string (as the backup will) before the operations load: a mistyped
    // one fails at once, without their start-up cost (issue 13). Not when a webhook is to hear
    // of failures: then the failure takes the usual way below, which posts it.
    if (opts.notify === 'never' || (opts.notify === undefined && !process.env[WEBHOOK_ENV])) {
      try {
        databaseOfUrl(source);
      } catch (err) {
        // What it cannot read is left to the engine's driver, as before.
        if (err instanceof UsageError) throw err;
      }
    }
    // Read before anything reaches the server: a mistake in them is a usage error, and no session.
    const jobs = parseJobs(opts.jobs as string);
    const stallTimeoutSeconds = parseStallTimeout(opts.stallTimeout as string);
    const compression =
      opts.compression === undefined ? undefined : parseCompression(opts.compression as string);
    const kind = backupKind(opts);
    const engineOptions = engineOptionsFrom(BACKUP_FLAGS, opts, engine, command);
    // The backup's first connection opens now, before the operations load: the server starts the
    // session and authenticates meanwhile (issue 14). The backup takes it over, and with it any
    // failure to connect, reported as when it connects itself.
    const connection = openSourceConnection(source, engineOptions, ctx.signal, jobs);
    // Its start (the connection code's load, the socket's connect) runs in promise jobs, which the
    // operations' load below, tens of ms of synchronous work, would otherwise run ahead of.
    if (connection) await nextTurn();
    const { backup, dataCounts, notify, webhook, encryption } = await closingOnFailure(
      connection,
      async () => {
        // The operations load when a command runs, not for `--help` or `--version`.
        const [{ backup }, { dataCounts }, { notify, webhookUrlProblem }] = await Promise.all([
          import('../../ops/backup.js'),
          import('../../ops/data-counts.js'),
          import('../../ops/notify.js'),
        ]);
        if (connection) {
          // The server's answers in the connection's handshake (SCRAM's challenge, the session's
          // start) are read between one load and the next, not after all of them: each load holds
          // the thread for 5-20 ms, and each answer is a step the server waits on.
          await nextTurn();
          await loadEngine(engine);
          await nextTurn();
        }
        const webhook = webhookFrom(opts.notify as string | undefined, webhookUrlProblem);
        return { backup, dataCounts, notify, webhook, encryption: await keySourceFrom(opts) };
      },
    );
    const started = Date.now();
    const report = async (event: Omit<RunEvent, 'database' | 'repository' | 'host'>) => {
      if (!webhook) return;
      try {
        await notify(webhook, {
          ...event,
          database: databaseOf(source),
          repository: opts.to as string,
          host: hostname(),
        });
      } catch (err) {
        ctx.log(`warning: notification failed: ${(err as Error).message}`);
      }
    };
    let summary: Awaited<ReturnType<typeof backup>>;
    try {
      summary = await backup({
        source,
        to: opts.to as string,
        jobs,
        stallTimeoutSeconds,
        compression,
        encryption,
        kind,
        note: opts.note as string | undefined,
        engineOptions,
        onProgress: ctx.progress(opts.json === true),
        signal: ctx.signal,
        stores: storeOptionsFrom(opts),
        preflight: opts.preflight !== false,
        allowIncomplete: opts.allowIncomplete === true,
        sourceConnection: connection,
      });
    } catch (err) {
      await report({
        status: ctx.signal.aborted ? 'interrupted' : 'failure',
        error: err instanceof Error ? err.message : String(err),
        durationMs: Date.now() - started,
      });
      throw err;
    }
    await report({
      status: 'success',
      archive: summary.archive,
      bytes: summary.bytes,
      durationMs: summary.durationMs,
    });
    const counts = dataCounts(await loadEngine(engine), summary.manifest.streams);
    const result = {
      archive: summary.archive,
      kind: kindOfManifest(summary.manifest),
      units: counts.units,
      bytes: summary.bytes,
      streams: counts.streams,
      items: counts.items,
      rawBytes: summary.rawBytes,
      durationMs: summary.durationMs,
      engine: summary.manifest.engine,
      database: summary.manifest.database,
      pointInTime: summary.manifest.pointInTime,
      warnings: summary.manifest.warnings,
      ...(summary.manifest.incomplete ? { incomplete: summary.manifest.incomplete } : {}),
    };
    if (opts.json) ctx.json(result);
    else {
      for (const w of summary.manifest.warnings) ctx.log(`warning: ${w}`);
      if (summary.manifest.incomplete)
        ctx.log(`warning: INCOMPLETE backup (allowed): it lacks ${summary.manifest.incomplete.join(', ')}`);
      ctx.log(
        `backed up ${summary.manifest.database}: ${countUnits(engine, counts.units)}, ${countItems(engine, counts.items)}, ` +
          `${formatBytes(summary.rawBytes)} → ${formatBytes(summary.bytes)} in ${(summary.durationMs / 1000).toFixed(1)} s`,
      );
      ctx.log(summary.archive);
    }
  });
  return command;
}

/** Runs what comes before the backup takes `connection` over; closes it when that fails (a usage error). */
async function closingOnFailure<T>(
  connection: SourceConnecting | undefined,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await connection?.dispose();
    throw err;
  }
}

/**
 * A backup run by hand is manual (kept until deleted by hand) unless it says
 * otherwise: `--kind on-demand` lets retention prune it without calling it
 * scheduled; only the daemon and `--kind scheduled` make scheduled ones.
 */
export function backupKind(opts: Record<string, unknown>): BackupKind {
  const given = [
    ...(opts.kind !== undefined ? [String(opts.kind)] : []),
    ...(opts.manual ? ['manual'] : []),
    ...(opts.scheduled ? ['scheduled'] : []),
  ];
  const kind = given[0] ?? 'manual';
  if (!(BACKUP_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`--kind must be one of ${BACKUP_KINDS.join(', ')}, got "${kind}"`);
  }
  if (given.some((k) => k !== kind)) {
    throw new UsageError(
      `conflicting backup kinds: ${[...new Set(given)].join(' and ')}`,
      'give one of --kind manual, --kind on-demand or --kind scheduled',
    );
  }
  return kind as BackupKind;
}

/** Where the webhook URL comes from: an environment variable, since its path is a secret (never a flag). */
export const WEBHOOK_ENV = 'STOWAGE_WEBHOOK_URL';

function webhookFrom(
  when: string | undefined,
  webhookUrlProblem: (url: string) => string | undefined,
): WebhookOptions | undefined {
  const url = process.env[WEBHOOK_ENV];
  if (when !== undefined && !['failure', 'always', 'never'].includes(when))
    throw new UsageError(`--notify must be failure, always or never, got ${when}`);
  if (when === 'never' || (when === undefined && !url)) return undefined;
  if (!url) throw new UsageError(`--notify ${when} needs a webhook URL`, `set ${WEBHOOK_ENV}`);
  const problem = webhookUrlProblem(url);
  if (problem) throw new UsageError(`${WEBHOOK_ENV}: ${problem}`);
  return { url, onFailure: true, onSuccess: when === 'always' };
}

/** The database named in a connection URL, for messages (never the URL itself). */
function databaseOf(source: string): string {
  try {
    return databaseOfUrl(source) ?? '(every database)';
  } catch {
    return '(unreadable connection string)';
  }
}

function parseCompression(value: string): CompressionLevel {
  if (value === 'none') return 'none';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 19)
    throw new UsageError(`--compression must be 1-19 or none, got ${value}`);
  return n;
}
