import { Command } from 'commander';
import { RETENTION_RULES } from '../../catalog/retention.js';
import { parseDuration } from '../../catalog/status.js';
import { counted } from '../../engines/nouns.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';
import { formatDate } from '../table.js';

function count(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`${flag} must be a whole number ≥ 0, got ${value}`);
    return n;
  };
}

export function pruneCommand(ctx: CliContext): Command {
  const command = new Command('prune')
    .description(
      'delete old backups by a grandfather-father-son policy (manual and newest verified backups always stay)',
    )
    .argument('<repository>', 'local folder or s3://bucket/prefix')
    .option('--database <name>', 'only this database (default: each database on its own)')
    .option('-n, --dry-run', 'show what would be deleted and why each kept backup stays; delete nothing')
    .option(
      '--delete-damaged',
      'also delete scheduled backups known to be damaged (by default they are kept for salvage and take no keep slot)',
    )
    .option(
      '--stale-after <duration>',
      'leftovers of killed backups whose writer cannot be checked (S3 multipart uploads, claims from other hosts) are removed after this long (e.g. 24h, 2d)',
      '24h',
    )
    .option('--json', 'print the decisions as JSON on stdout');
  for (const rule of RETENTION_RULES) command.option(`${rule.flag} <n>`, rule.help, count(rule.flag));
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage prune ./backups --dry-run
  $ stowage prune s3://backups/prod --keep-daily 14 --keep-weekly 8 --keep-monthly 12

Only backups known to be restorable (footer intact, no failed verification)
count for the keep rules; damaged ones are reported and left in place unless
--delete-damaged is given. A policy that would delete every backup of a
database is refused.`,
  );
  command.action(async (repository: string, opts: Record<string, unknown>) => {
    const policy = Object.fromEntries(
      RETENTION_RULES.filter((r) => opts[r.key] !== undefined).map((r) => [r.key, opts[r.key] as number]),
    );
    const staleAfterMs = parseDuration(opts.staleAfter as string);
    if (staleAfterMs === undefined || staleAfterMs <= 0)
      throw new UsageError(`--stale-after must be a duration like 24h or 2d, got ${opts.staleAfter}`);
    // The operations load when a command runs, not for `--help` or `--version`.
    const { prune } = await import('../../ops/prune.js');
    const result = await prune({
      staleAfterMs,
      repository,
      policy,
      database: opts.database as string | undefined,
      dryRun: opts.dryRun === true,
      deleteDamaged: opts.deleteDamaged === true,
      encryption: await keySourceFrom(opts),
      stores: storeOptionsFrom(opts),
    });
    for (const w of result.warnings) ctx.log(`warning: ${w}`);
    if (opts.json) {
      ctx.json({ ...result, decisions: result.decisions.map((d) => ({ ...d, at: d.at.toISOString() })) });
      return;
    }
    for (const d of result.decisions) {
      const verb = d.keep ? 'keep  ' : result.dryRun ? 'would delete' : 'delete';
      ctx.result(`${verb.padEnd(12)}  ${formatDate(d.at)}  ${d.name}  (${d.reasons.join('; ')})`);
    }
    for (const l of result.leftoversRemoved) {
      const verb = result.dryRun ? 'would remove' : 'removed';
      ctx.result(`${verb} leftover ${l.kind} of ${l.name} (${formatBytes(l.bytes)}; ${l.why})`);
    }
    if (result.segmentsDeleted.length > 0) {
      ctx.result(
        `${result.dryRun ? 'would delete' : 'deleted'} ${counted(result.segmentsDeleted.length, 'change segment')} of continuous backup chains whose base goes`,
      );
    }
    for (const c of result.chains) {
      ctx.result(
        `chain ${c.id} stays: ${c.window ? `restorable from ${c.window.from.toISOString()} to ${c.window.to.toISOString()}` : 'no change stored yet'}${c.gap ? ` (${c.gap})` : ''}`,
      );
    }
    ctx.result(
      result.dryRun
        ? `dry run: ${result.deleted.length} of ${counted(result.decisions.length, 'archive')} would be deleted, ${result.kept.length} kept`
        : `deleted ${result.deleted.length} of ${counted(result.decisions.length, 'archive')}, ${result.kept.length} kept`,
    );
  });
  return command;
}
