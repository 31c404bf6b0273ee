import { Command } from 'commander';
import type { ArchiveInfo } from '../../catalog/list.js';
import { engineNameForUrl } from '../../engines/registry.js';
import { StowageError, UsageError } from '../../errors.js';
import { inspectTarget } from '../../ops/database-probe.js';
import { inspect } from '../../ops/inspect.js';
import { list } from '../../ops/list.js';
import { archivedMongoDatabases, restore } from '../../ops/restore.js';
import { redactUrl } from '../../redact.js';
import { looksLikeArchive } from '../../store/open-repository.js';
import type { CliContext } from '../context.js';
import { addEngineFlags, engineOptionsFrom, RESTORE_FLAGS } from '../engine-flags.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { manifestSummary } from '../manifest-summary.js';
import { parseJobs } from '../parse-number.js';
import { passwordOnCommandLine } from '../password-warning.js';
import { addS3Options, s3OptionsFrom } from '../s3-flags.js';
import { formatDate } from '../table.js';
import { archiveJson, archiveTable, verificationLabel } from './list.js';

export function restoreCommand(ctx: CliContext): Command {
  const command = new Command('restore')
    .description('restore a .stow archive into a database')
    .argument(
      '<archive>',
      'path or s3://…/NAME.stow; or a repository (folder, s3://bucket/prefix) to choose from',
    )
    .argument('[target-url]', "postgres://… or mongodb://… matching the archive's engine")
    .option('-j, --jobs <n>', 'parallel connections', '2')
    .option('--latest', 'with a repository: restore its newest archive (of --database)')
    .option('--database <name>', "with a repository: only this database's archives")
    .option(
      '-y, --yes',
      'do not ask for confirmation (needed to restore over a non-empty target without a terminal)',
    )
    .option('--no-safety-backup', 'do not back up a non-empty target before restoring over it')
    .option(
      '--safety-backup-to <repository>',
      "where the safety backup goes (default: the archive's repository)",
    )
    .option('--json', 'print one JSON object on stdout');
  addEngineFlags(command, RESTORE_FLAGS);
  addKeyOptions(command);
  addS3Options(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage restore backups/shop-20261121-020000.stow postgres://app@localhost/shop_test --create
  $ stowage restore ./backups                      # lists the archives (on a terminal: pick one)
  $ stowage restore s3://backups/prod --latest --database shop postgres://app@localhost/shop_copy --create --yes
  $ stowage restore shop.stow postgres://app@localhost/shop --clean --jobs 4
  $ stowage restore shop.stow mongodb://localhost/ --drop --ns-from 'shop.*' --ns-to 'shop_copy.*'

On a terminal, restore shows the archive and the target and asks before writing.
Restoring over a non-empty target first takes a safety backup of it (a manual
backup, never pruned automatically) and, without a terminal, needs --yes.`,
  );
  command.action(async (archiveArg: string, target: string | undefined, opts: Record<string, unknown>) => {
    const exposed = passwordOnCommandLine(target, 'target');
    if (exposed) ctx.log(`warning: ${exposed}`);
    const s3 = s3OptionsFrom(opts);
    const encryption = await keySourceFrom(opts);
    const archive = looksLikeArchive(archiveArg)
      ? archiveArg
      : await chooseArchive(ctx, archiveArg, opts, encryption, s3);
    if (!archive) return;
    if (!target) {
      throw new UsageError(
        'give the target database URL',
        `stowage restore ${archive} postgres://…|mongodb://…`,
      );
    }
    const engine = engineNameForUrl(target);
    const engineOptions = engineOptionsFrom(RESTORE_FLAGS, opts, engine, command);
    const safetyBackup =
      opts.safetyBackup === false
        ? false
        : opts.safetyBackupTo
          ? { to: opts.safetyBackupTo as string }
          : true;
    if (opts.yes !== true)
      await confirmRestore(ctx, archive, target, { encryption, s3, safetyBackup: safetyBackup !== false });
    const summary = await restore({
      archive,
      target,
      jobs: parseJobs(opts.jobs as string),
      encryption,
      s3,
      engineOptions,
      safetyBackup,
      onProgress: ctx.progress(opts.json === true),
      signal: ctx.signal,
    });
    const items = Object.values(summary.items).reduce((n, v) => n + v, 0);
    if (opts.json) {
      ctx.json({
        archive: summary.archive,
        database: summary.database,
        streams: Object.keys(summary.items).length,
        items,
        durationMs: summary.durationMs,
        warnings: summary.warnings,
        ...(summary.safetyBackup ? { safetyBackup: summary.safetyBackup.archive } : {}),
      });
    } else {
      if (summary.safetyBackup)
        ctx.log(`safety backup of the previous contents: ${summary.safetyBackup.archive}`);
      for (const w of summary.warnings) ctx.log(`warning: ${w}`);
      ctx.log(
        `restored ${items} rows/documents into ${summary.database} in ${(summary.durationMs / 1000).toFixed(1)} s`,
      );
    }
  });
  return command;
}

/**
 * A repository was given instead of an archive: `--latest` takes the newest;
 * on a terminal the user picks one; otherwise the archives are listed and the
 * command stops (exit 2) so a script never restores a guess.
 */
async function chooseArchive(
  ctx: CliContext,
  repository: string,
  opts: Record<string, unknown>,
  encryption: Awaited<ReturnType<typeof keySourceFrom>>,
  s3: ReturnType<typeof s3OptionsFrom>,
): Promise<string | undefined> {
  const archives = await list({ repository, database: opts.database as string | undefined, encryption, s3 });
  if (archives.length === 0) {
    throw new StowageError(
      'no-archives',
      `no archives in ${repository}${opts.database ? ` for database ${opts.database}` : ''}`,
    );
  }
  if (opts.latest) return archives.at(-1)!.location;
  if (ctx.interactive && !opts.json) {
    const newestFirst = [...archives].reverse();
    return ctx.prompt.select(
      `Restore which archive from ${repository}?`,
      newestFirst.map((a: ArchiveInfo) => ({
        name: `${formatDate(a.at)}  ${a.sourceDatabase ?? a.database}  ${a.kind}  ${formatBytes(a.bytes)}  verified: ${verificationLabel(a)}${a.note ? `  ${a.note}` : ''}`,
        value: a.location,
        description: a.name,
      })),
    );
  }
  if (opts.json) ctx.json({ repository, archives: archives.map(archiveJson) });
  else for (const line of archiveTable(archives)) ctx.log(line);
  throw new UsageError(
    `${repository} is a repository: choose an archive`,
    `stowage restore ${archives.at(-1)!.location} <target-url>, or --latest`,
  );
}

/**
 * Shows what is about to happen and asks, on a terminal. Without a terminal,
 * restoring into an empty or absent database needs no answer; restoring over
 * data needs --yes.
 */
async function confirmRestore(
  ctx: CliContext,
  archive: string,
  target: string,
  options: {
    encryption: Awaited<ReturnType<typeof keySourceFrom>>;
    s3: ReturnType<typeof s3OptionsFrom>;
    safetyBackup: boolean;
  },
): Promise<void> {
  const { manifest } = await inspect(archive, { encryption: options.encryption, s3: options.s3 });
  const contents = await inspectTarget(
    target,
    manifest.engine === 'mongodb' ? archivedMongoDatabases(manifest) : [],
  ).catch(() => undefined);
  const occupied = contents !== undefined && contents.objects > 0;
  const targetLine = !contents
    ? `target:      ${redactUrl(target)} (could not be inspected)`
    : !contents.exists
      ? `target:      ${redactUrl(target)} (does not exist yet)`
      : occupied
        ? `target:      ${redactUrl(target)} — holds ${contents.objects} tables/collections (${contents.sample.join(', ')}${contents.objects > contents.sample.length ? ', …' : ''})`
        : `target:      ${redactUrl(target)} (empty)`;
  if (!ctx.interactive) {
    if (occupied) {
      throw new UsageError(
        `${redactUrl(target)} already holds ${contents.objects} tables/collections: pass --yes to restore over it`,
        options.safetyBackup
          ? 'a safety backup of it is taken first'
          : 'no safety backup will be taken (--no-safety-backup)',
      );
    }
    return;
  }
  for (const line of manifestSummary(archive, manifest)) ctx.log(line);
  ctx.log(targetLine);
  if (occupied) {
    ctx.log(
      options.safetyBackup
        ? 'A safety backup of the target is taken before anything is written.'
        : 'NO safety backup will be taken (--no-safety-backup).',
    );
  }
  const ok = await ctx.prompt.confirm(`Restore into ${redactUrl(target)}?`, false);
  if (!ok) throw new StowageError('cancelled', 'restore cancelled; nothing was written');
}
