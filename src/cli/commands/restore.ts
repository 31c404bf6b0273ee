import { Command } from 'commander';
import type { Encryption } from '../../archive/archive-keys.js';
import type { ArchiveInfo } from '../../catalog/list.js';
import { safeName } from '../../catalog/naming.js';
import { countItems, countUnits, unitsNoun } from '../../engines/nouns.js';
import {
  allEngines,
  databaseOfUrl,
  engineForUrl,
  engineNameForUrl,
  loadEngine,
} from '../../engines/registry.js';
import { StowageError, UsageError } from '../../errors.js';
import type { RestoreConfirmation } from '../../ops/restore.js';
import type { RestoreUntilOptions } from '../../ops/restore-until.js';
import { redactUrl } from '../../redact.js';
import type { StoreOptions } from '../../store/registry.js';
import type { CliContext } from '../context.js';
import { addEngineFlags, engineOptionsFrom, RESTORE_FLAGS } from '../engine-flags.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { manifestSummary } from '../manifest-summary.js';
import { parseJobs, parseStallTimeout } from '../parse-number.js';
import { passwordOnCommandLine } from '../password-warning.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';
import { formatDate } from '../table.js';
import { archiveJson, archiveTable, verificationLabel } from './list.js';

export function restoreCommand(ctx: CliContext): Command {
  const command = new Command('restore')
    .description('restore a .stow archive into a database')
    .argument(
      '<archive>',
      'path or s3://…/NAME.stow, - to read it from stdin; or a repository (folder, s3://bucket/prefix) to choose from',
    )
    .argument('[target-url]', "postgres://… or mongodb://… matching the archive's engine")
    .option('-j, --jobs <n>', 'parallel connections', '2')
    .option(
      '--stall-timeout <seconds>',
      'end the run when no bytes moved for this long, naming the silent server (0 = never)',
      '120',
    )
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
    .option(
      '--until <time|latest>',
      'point in time from continuous backups (`stowage follow`) in the repository: an ISO 8601 time, or latest',
    )
    .option('--until-ts <t:i>', 'MongoDB: replay changes up to this oplog timestamp (seconds:increment)')
    .option('--until-lsn <lsn>', 'PostgreSQL: replay changes up to this WAL position (e.g. 16/B374D848)')
    .option(
      '--template-cache',
      'PostgreSQL: load the archive once into a template database cached on the server, then create the target as a copy of it (see `stowage templates`)',
    )
    .option(
      '--keep-failed',
      'keep the database this restore created (--create) when the restore fails or is interrupted (default: it is dropped)',
    )
    .option('--json', 'print one JSON object on stdout');
  addEngineFlags(command, RESTORE_FLAGS);
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage restore backups/shop-20261121-020000.stow postgres://app@localhost/shop_test --create
  $ stowage restore ./backups                      # lists the archives (on a terminal: pick one)
  $ stowage restore s3://backups/prod --latest --database shop postgres://app@localhost/shop_copy --create --yes
  $ stowage restore shop.stow postgres://app@localhost/shop --clean --jobs 4
  $ stowage restore shop.stow mongodb://localhost/ --drop --ns-from 'shop.*' --ns-to 'shop_copy.*'
  $ stowage backup postgres://app@prod/shop --to - | stowage restore - postgres://app@localhost/shop_copy --create
  $ stowage restore ./backups mongodb://localhost/shop_copy --until 2026-11-21T10:14:59Z --drop

On a terminal, restore shows the archive and the target and asks before writing.
Restoring over a non-empty target first takes a safety backup of it (a manual
backup, never pruned automatically) and, without a terminal, needs --yes.
An archive read from stdin (-) is received whole into a private temporary file
in $TMPDIR first (removed afterwards), so a truncated pipe writes nothing.`,
  );
  command.action(async (archiveArg: string, target: string | undefined, opts: Record<string, unknown>) => {
    // The operations load when a command runs, not for `--help` or `--version`.
    const [{ restoredCounts }, { STDIN_ARCHIVE }, { restore }, { looksLikeArchive }, { archiveKeys }] =
      await Promise.all([
        import('../../ops/data-counts.js'),
        import('../../ops/open-archive.js'),
        import('../../ops/restore.js'),
        import('../../store/open-repository.js'),
        import('../../archive/archive-keys.js'),
      ]);
    const exposed = passwordOnCommandLine(target, 'target');
    if (exposed) ctx.log(`warning: ${exposed}`);
    const stores = storeOptionsFrom(opts);
    // One key cache for the command: the archive picked from a listing is not derived again.
    const encryption = archiveKeys(await keySourceFrom(opts));
    const until = untilFrom(opts, target);
    if (until && opts.templateCache)
      throw new UsageError('--template-cache does not go with --until', 'leave out one of them');
    if (until) return restoreToMoment(ctx, command, archiveArg, target!, until, opts, encryption, stores);
    const archive =
      archiveArg === STDIN_ARCHIVE || looksLikeArchive(archiveArg)
        ? archiveArg
        : await chooseArchive(ctx, archiveArg, target, opts, encryption, stores);
    if (!archive) return;
    if (!target) {
      throw new UsageError(
        'give the target database URL',
        `stowage restore ${archive} ${allEngines()
          .map((e) => `${e.urlExample}…`)
          .join('|')}`,
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
    const shown = archive === STDIN_ARCHIVE ? 'the archive on stdin' : archive;
    if (!opts.json) ctx.log(`restoring ${shown} into ${redactUrl(target)}`);
    const summary = await restore({
      ...(opts.yes !== true
        ? { confirm: (plan: RestoreConfirmation) => confirmRestore(ctx, archive, target, plan) }
        : {}),
      archive,
      stdin: ctx.stdin,
      target,
      jobs: parseJobs(opts.jobs as string),
      stallTimeoutSeconds: parseStallTimeout(opts.stallTimeout as string),
      encryption,
      stores,
      engineOptions,
      safetyBackup,
      ...(opts.templateCache ? { templateCache: true } : {}),
      ...(opts.keepFailed ? { keepFailed: true } : {}),
      onProgress: ctx.progress(opts.json === true),
      signal: ctx.signal,
    });
    // Counted as backup counts them, so the two agree for one archive.
    const counts = restoredCounts(await loadEngine(engine), summary.manifest.streams, summary.items);
    if (opts.json) {
      ctx.json({
        archive: summary.archive,
        database: summary.database,
        units: counts.units,
        streams: counts.streams,
        items: counts.items,
        durationMs: summary.durationMs,
        warnings: summary.warnings,
        ...(summary.safetyBackup ? { safetyBackup: summary.safetyBackup.archive } : {}),
        ...(summary.template ? { template: summary.template } : {}),
      });
    } else {
      if (summary.safetyBackup)
        ctx.log(`safety backup of the previous contents: ${summary.safetyBackup.archive}`);
      for (const w of summary.warnings) ctx.log(`warning: ${w}`);
      if (summary.template)
        ctx.log(
          summary.template.loaded
            ? `loaded the archive into template ${summary.template.name} (cached for the next restores)`
            : `cloned the cached template ${summary.template.name}`,
        );
      ctx.log(
        `restored ${countUnits(engine, counts.units)}, ${countItems(engine, counts.items)} from ${shown} into ${summary.database} in ${(summary.durationMs / 1000).toFixed(1)} s`,
      );
    }
  });
  return command;
}

/** The point-in-time bound from --until, --until-ts or --until-lsn; undefined for a plain restore. */
function untilFrom(
  opts: Record<string, unknown>,
  target: string | undefined,
): RestoreUntilOptions['until'] | undefined {
  const given = (['until', 'untilTs', 'untilLsn'] as const).filter((k) => opts[k] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new UsageError('give one of --until, --until-ts and --until-lsn');
  if (!target)
    throw new UsageError('give the target database URL', 'stowage restore REPOSITORY URL --until TIME');
  const positionGiven = opts.untilTs ?? opts.untilLsn;
  if (positionGiven !== undefined) {
    // Each engine names its positions its own way; the plugin says which flag is its.
    const flag = opts.untilTs !== undefined ? '--until-ts' : '--until-lsn';
    const engine = engineForUrl(target);
    const own = engine.continuous?.positionFlag;
    if (own !== flag)
      throw new UsageError(
        `${flag} is not for ${engine.label} targets`,
        own ? `use ${own} for ${engine.label}, or --until TIME` : `${engine.label} has no continuous backup`,
      );
    return { position: String(positionGiven) };
  }
  const text = String(opts.until);
  if (text === 'latest') return 'latest';
  const at = parseMoment(text);
  if (!at) {
    throw new UsageError(
      `--until ${text} is not a time`,
      'give an ISO 8601 time with its zone, e.g. 2026-11-21T10:14:59Z, or latest',
    );
  }
  return at;
}

/** An ISO 8601 time with a date and a time; without a zone it is read as UTC, never as local time. */
export function parseMoment(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text))
    return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const at = new Date(zoned.replace(' ', 'T'));
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** `restore REPOSITORY URL --until …`: the newest chain's base before the moment, then its changes up to it. */
async function restoreToMoment(
  ctx: CliContext,
  command: Command,
  repository: string,
  target: string,
  until: RestoreUntilOptions['until'],
  opts: Record<string, unknown>,
  encryption: Encryption | undefined,
  stores: ReturnType<typeof storeOptionsFrom>,
): Promise<void> {
  const [{ STDIN_ARCHIVE }, { looksLikeArchive }, { restoreUntil }] = await Promise.all([
    import('../../ops/open-archive.js'),
    import('../../store/open-repository.js'),
    import('../../ops/restore-until.js'),
  ]);
  if (repository === STDIN_ARCHIVE || looksLikeArchive(repository)) {
    throw new UsageError(
      '--until restores from a repository of continuous backups, not from one archive',
      `stowage restore REPOSITORY ${redactUrl(target)} --until …`,
    );
  }
  const engine = engineNameForUrl(target);
  const engineOptions = engineOptionsFrom(RESTORE_FLAGS, opts, engine, command);
  const summary = await restoreUntil({
    ...(opts.yes !== true
      ? { confirm: (plan: RestoreConfirmation) => confirmRestore(ctx, repository, target, plan) }
      : {}),
    repository,
    until,
    ...(opts.database ? { database: opts.database as string } : {}),
    target,
    jobs: parseJobs(opts.jobs as string),
    stallTimeoutSeconds: parseStallTimeout(opts.stallTimeout as string),
    encryption,
    stores,
    engineOptions,
    safetyBackup:
      opts.safetyBackup === false
        ? false
        : opts.safetyBackupTo
          ? { to: opts.safetyBackupTo as string }
          : true,
    ...(opts.keepFailed ? { keepFailed: true } : {}),
    onProgress: ctx.progress(opts.json === true),
    signal: ctx.signal,
  });
  if (opts.json) {
    ctx.json({
      chain: summary.chain,
      base: summary.base.archive,
      database: summary.base.database,
      applied: summary.applied,
      ...(summary.position ? { position: summary.position, committedAt: summary.committedAt } : {}),
      durationMs: summary.durationMs,
      warnings: summary.base.warnings,
      ...(summary.base.safetyBackup ? { safetyBackup: summary.base.safetyBackup.archive } : {}),
    });
    return;
  }
  if (summary.base.safetyBackup)
    ctx.log(`safety backup of the previous contents: ${summary.base.safetyBackup.archive}`);
  for (const w of summary.base.warnings) ctx.log(`warning: ${w}`);
  ctx.log(
    `restored chain ${summary.chain} into ${summary.base.database}: its base, then ${summary.applied} changes${summary.position ? ` up to ${summary.position} (committed ${summary.committedAt})` : ''} in ${(summary.durationMs / 1000).toFixed(1)} s`,
  );
}

/**
 * A repository was given instead of an archive: `--latest` takes the newest;
 * on a terminal the user picks one; otherwise the archives are listed and the
 * command stops (exit 2) so a script never restores a guess.
 */
async function chooseArchive(
  ctx: CliContext,
  repository: string,
  target: string | undefined,
  opts: Record<string, unknown>,
  encryption: Encryption | undefined,
  stores: StoreOptions,
): Promise<string | undefined> {
  const { list } = await import('../../ops/list.js');
  const archives = await list({
    repository,
    database: opts.database as string | undefined,
    encryption,
    stores,
  });
  if (archives.length === 0) {
    throw new StowageError(
      'no-archives',
      `no archives in ${repository}${opts.database ? ` for database ${opts.database}` : ''}`,
      opts.database
        ? `\`stowage list ${repository}\` shows the databases it holds backups of`
        : 'check the path: a repository holds .stow archives (stowage backup SOURCE --to REPOSITORY)',
    );
  }
  if (opts.latest) return latestFor(archives, repository, target, opts.database as string | undefined);
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
  const choose = new UsageError(
    `${repository} is a repository: choose an archive`,
    `stowage restore ${archives.at(-1)!.location} <target-url>, or --latest`,
  );
  // The one JSON object carries both the error and the choices.
  if (opts.json)
    ctx.json({
      error: { code: choose.code, message: choose.message, hint: choose.hint },
      repository,
      archives: archives.map(archiveJson),
    });
  else for (const line of archiveTable(archives)) ctx.log(line);
  throw choose;
}

/**
 * `--latest`: the newest archive of one database. Without `--database`, a
 * repository holding several databases gives the newest archive of the
 * database the target URL names; a target that names none of them is refused
 * rather than restored from whichever database happened to run last.
 */
function latestFor(
  archives: ArchiveInfo[],
  repository: string,
  target: string | undefined,
  database: string | undefined,
): string {
  const databases = [...new Set(archives.map((a) => a.database))];
  if (database || databases.length === 1) return archives.at(-1)!.location;
  const named = target ? targetDatabaseName(target) : undefined;
  const key = named === undefined ? undefined : safeName(named);
  const mine = key === undefined ? [] : archives.filter((a) => a.database === key);
  if (mine.length === 0) {
    throw new UsageError(
      `${repository} holds archives of ${databases.length} databases (${databases.slice(0, 8).join(', ')}${databases.length > 8 ? ', …' : ''})${named ? `, none of "${named}"` : ''}: say which`,
      `add --database NAME to --latest`,
    );
  }
  return mine.at(-1)!.location;
}

/** The database a target URL names, if it names one. */
function targetDatabaseName(target: string): string | undefined {
  try {
    return databaseOfUrl(target);
  } catch {
    return undefined;
  }
}

/**
 * Shows what is about to happen and asks, on a terminal. Called by the restore
 * once its refusal checks have passed and before anything is written, with the
 * tables/collections it writes as the target names them (renames applied).
 * Without a terminal, a restore that replaces nothing needs no answer;
 * replacing existing tables/collections needs --yes.
 */
async function confirmRestore(
  ctx: CliContext,
  archive: string,
  target: string,
  plan: RestoreConfirmation,
): Promise<void> {
  const replaced = plan.replaced;
  const listed = `${replaced.slice(0, 5).join(', ')}${replaced.length > 5 ? ', …' : ''}`;
  if (!ctx.interactive) {
    if (replaced.length > 0) {
      throw new UsageError(
        `the restore would replace ${replaced.length} existing ${unitsNoun(plan.manifest.engine, replaced.length)} of ${redactUrl(target)} (${listed}): pass --yes to restore over them`,
        plan.safetyBackup
          ? 'a safety backup of them is taken first'
          : 'no safety backup will be taken (--no-safety-backup)',
      );
    }
    return;
  }
  for (const line of manifestSummary(archive, plan.manifest)) ctx.log(line);
  ctx.log(
    replaced.length > 0
      ? `target:      ${redactUrl(target)} — the restore replaces ${replaced.length} existing ${unitsNoun(plan.manifest.engine, replaced.length)} (${listed})`
      : `target:      ${redactUrl(target)} (writes ${countUnits(plan.manifest.engine, plan.units.length)}, none exists yet)`,
  );
  if (replaced.length > 0) {
    ctx.log(
      plan.safetyBackup
        ? 'A safety backup of them is taken before anything is written.'
        : 'NO safety backup will be taken (--no-safety-backup).',
    );
  }
  const ok = await ctx.prompt.confirm(`Restore into ${redactUrl(target)}?`, false);
  // A "no" is a refusal (exit 1), not an interruption: 130 stays for signals, Ctrl-C at this prompt included.
  if (!ok) throw new StowageError('declined', 'restore declined; nothing was written');
}
