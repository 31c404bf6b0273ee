import { Command } from 'commander';
import type { LeftoverSummary } from '../../catalog/leftovers.js';
import type { ArchiveInfo } from '../../catalog/list.js';
import { chainJson, chainLine } from '../chain-summary.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';
import { formatDate, formatDuration, formatTable } from '../table.js';

/** The verification column: passed, FAILED, or - when never verified. */
export function verificationLabel(a: ArchiveInfo): string {
  if (!a.verification) return '-';
  const how = a.verification.level === 'restore-test' ? ' (restore test)' : '';
  return a.verification.ok ? `ok${how}` : `FAILED${how}`;
}

/** Human rows for a set of archives, oldest first (the newest ends up next to the prompt). */
export function archiveTable(archives: ArchiveInfo[]): string[] {
  return formatTable(
    ['DATE (UTC)', 'DATABASE', 'ENGINE', 'KIND', 'SIZE', 'DURATION', 'VERIFIED', 'NAME', 'NOTE'],
    archives.map((a) => [
      formatDate(a.at),
      a.sourceDatabase ?? a.database,
      a.engine ?? (a.encrypted ? 'encrypted' : '?'),
      a.kind,
      formatBytes(a.bytes),
      formatDuration(a.durationMs),
      verificationLabel(a),
      a.name,
      a.health === 'damaged'
        ? `DAMAGED: ${a.damage}`
        : a.unreadable && !a.encrypted
          ? `UNREADABLE: ${a.unreadable}`
          : a.incomplete
            ? `INCOMPLETE: lacks ${a.incomplete.join(', ')}${a.note ? `; ${a.note}` : ''}`
            : (a.note ?? ''),
    ]),
  );
}

/** JSON form of an archive: dates as ISO strings. */
export function archiveJson(a: ArchiveInfo): Record<string, unknown> {
  return {
    ...a,
    at: a.at.toISOString(),
    ...(a.finishedAt ? { finishedAt: a.finishedAt.toISOString() } : {}),
  };
}

/** One line on what killed backups left behind, for `list` and `status`. */
export function leftoversLine(l: LeftoverSummary): string {
  if (l.unavailable) return `warning: could not look for leftovers of unfinished backups: ${l.unavailable}`;
  const names = l.items.map((i) => i.name).join(', ');
  return `leftovers of unfinished backups: ${l.count} (${formatBytes(l.bytes)}), ${l.stale} stale (${formatBytes(l.staleBytes)}) that the next backup or prune removes: ${names}`;
}

/** JSON form of the leftovers: dates as ISO strings. */
export function leftoversJson(l: LeftoverSummary): Record<string, unknown> {
  return { ...l, items: l.items.map((i) => ({ ...i, lastActivity: i.lastActivity.toISOString() })) };
}

export function listCommand(ctx: CliContext): Command {
  const command = new Command('list')
    .description("list the archives in a repository (reads only each archive's tail)")
    .argument('<repository>', 'local folder or s3://bucket/prefix')
    .option('--database <name>', 'only this database')
    .option('--json', 'print { repository, archives: [...], chains: [...], leftovers: {...} } on stdout');
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage list ./backups
  $ stowage list s3://company-backups/prod --database shop --json`,
  );
  command.action(async (repository: string, opts: Record<string, unknown>) => {
    // The operations load when a command runs, not for `--help` or `--version`.
    const { listRepository } = await import('../../ops/list.js');
    const { archives, chains, leftovers } = await listRepository({
      repository,
      database: opts.database as string | undefined,
      encryption: await keySourceFrom(opts),
      stores: storeOptionsFrom(opts),
    });
    if (opts.json) {
      ctx.json({
        repository,
        archives: archives.map(archiveJson),
        chains: chains.map((c) => chainJson(c)),
        leftovers: leftoversJson(leftovers),
      });
      return;
    }
    if (archives.length === 0) {
      ctx.log(`no archives in ${repository}`);
      if (leftovers.count > 0 || leftovers.unavailable) ctx.log(leftoversLine(leftovers));
      return;
    }
    for (const line of archiveTable(archives)) ctx.result(line);
    const total = archives.reduce((n, a) => n + a.bytes, 0);
    ctx.result(`${archives.length} archive${archives.length === 1 ? '' : 's'}, ${formatBytes(total)}`);
    for (const c of chains) ctx.result(chainLine(c));
    if (leftovers.count > 0 || leftovers.unavailable) ctx.log(leftoversLine(leftovers));
  });
  return command;
}
