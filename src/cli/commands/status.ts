import { Command } from 'commander';
import { formatAge, parseDuration } from '../../catalog/status.js';
import { UsageError } from '../../errors.js';
import { forgetDatabase, status } from '../../ops/status.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { QuietFailure } from '../quiet-failure.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';
import { formatTable } from '../table.js';
import { archiveJson, leftoversJson, leftoversLine } from './list.js';

export function statusCommand(ctx: CliContext): Command {
  const command = new Command('status')
    .description(
      'show the newest backup of each database, its age and verification; exit 1 when stale or failing',
    )
    .argument('<repository>', 'local folder or s3://bucket/prefix')
    .option('--database <name>', 'only this database')
    .option('--max-age <duration>', 'newest backup must be younger than this (e.g. 25h, 90m, 2d)', '25h')
    .option('--require-verified', 'also fail when the newest backup was never verified')
    .option('--format <format>', 'text, json or prometheus', 'text')
    .option('--json', 'same as --format json')
    .option(
      '--forget <database>',
      "clear this database's run records (its archives stay) and exit: for a database no longer backed up",
    );
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage status ./backups
  $ stowage status s3://backups/prod --max-age 8h --json
  $ stowage status /var/backups --format prometheus > /var/lib/node_exporter/stowage.prom
  $ stowage status ./backups --forget old_shop

Exit code 1 when any database's newest backup is older than --max-age, its last
run failed, or it failed verification (and for an empty repository).`,
  );
  command.action(async (repository: string, opts: Record<string, unknown>) => {
    if (typeof opts.forget === 'string') {
      const found = await forgetDatabase({
        repository,
        database: opts.forget,
        stores: storeOptionsFrom(opts),
      });
      if (opts.json || opts.format === 'json') {
        ctx.json({ repository, database: opts.forget, forgotten: found });
        return;
      }
      ctx.result(
        found
          ? `forgot the run records of ${opts.forget} in ${repository} (its archives stay)`
          : `no run records of ${opts.forget} in ${repository}`,
      );
      return;
    }
    const maxAgeMs = parseDuration(opts.maxAge as string);
    if (maxAgeMs === undefined || maxAgeMs <= 0) {
      throw new UsageError(`--max-age must be a duration like 25h, 90m or 2d, got ${opts.maxAge}`);
    }
    const format = opts.json ? 'json' : (opts.format as string);
    if (!['text', 'json', 'prometheus'].includes(format))
      throw new UsageError(`--format must be text, json or prometheus, got ${format}`);
    const result = await status({
      repository,
      database: opts.database as string | undefined,
      maxAgeMs,
      requireVerified: opts.requireVerified === true,
      encryption: await keySourceFrom(opts),
      stores: storeOptionsFrom(opts),
    });
    if (format === 'json') {
      ctx.json({
        ...result,
        databases: result.databases.map((d) => ({
          ...d,
          ...(d.newest ? { newest: archiveJson(d.newest) } : {}),
        })),
        leftovers: leftoversJson(result.leftovers),
      });
    } else if (format === 'prometheus') {
      // prom-client loads only for this output.
      const { StowageMetrics } = await import('../../ops/metrics.js');
      const metrics = new StowageMetrics();
      metrics.observeStatus(result.repository, result.databases);
      ctx.out(await metrics.text());
    } else {
      if (result.databases.length === 0) ctx.log(`no backups in ${result.repository}`);
      else {
        const rows = result.databases.map((d) => [
          d.ok ? 'ok' : 'FAIL',
          d.database,
          d.ageMs !== undefined ? formatAge(d.ageMs) : '-',
          d.newest ? formatBytes(d.newest.bytes) : '-',
          d.verification === 'passed' ? 'ok' : d.verification === 'failed' ? 'FAILED' : 'never',
          d.lastRun ? `${d.lastRun.status} ${d.lastRun.finishedAt.slice(0, 16).replace('T', ' ')}` : '-',
          d.newest?.name ?? '-',
        ]);
        for (const line of formatTable(
          ['', 'DATABASE', 'AGE', 'SIZE', 'VERIFIED', 'LAST RUN', 'NEWEST'],
          rows,
        ))
          ctx.result(line);
        for (const d of result.databases) for (const p of d.problems) ctx.result(`${d.database}: ${p}`);
      }
      if (result.leftovers.count > 0 || result.leftovers.unavailable)
        ctx.log(leftoversLine(result.leftovers));
    }
    if (!result.ok) throw new QuietFailure('unhealthy');
  });
  return command;
}
