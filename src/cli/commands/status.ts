import { Command } from 'commander';
import { formatAge, parseDuration } from '../../catalog/status.js';
import { UsageError } from '../../errors.js';
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
    .option(
      '--max-lag <duration>',
      "continuous backups: fail when a chain's window ends longer ago than this",
      '15m',
    )
    .option(
      '--max-segment-age <duration>',
      "continuous backups: fail when a chain's newest segment is older than this",
    )
    .option(
      '--server <url>',
      "continuous backups of PostgreSQL: also check Stowage's replication slots on this server (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--max-retained-wal-mib <n>', 'fail when a slot holds back more WAL than this', '1024')
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
run failed, or it failed verification (and for an empty repository); and when a
continuous backup chain (stowage follow) lags more than --max-lag, its newest
segment is older than --max-segment-age, or it has a gap.`,
  );
  command.action(async (repository: string, opts: Record<string, unknown>) => {
    // The operations load when a command runs, not for `--help` or `--version`.
    const { forgetDatabase, status } = await import('../../ops/status.js');
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
    const maxLagMs = parseDuration(opts.maxLag as string);
    if (maxLagMs === undefined || maxLagMs <= 0)
      throw new UsageError(`--max-lag must be a duration like 15m or 1h, got ${opts.maxLag}`);
    const maxSegmentAgeMs =
      opts.maxSegmentAge === undefined ? undefined : parseDuration(opts.maxSegmentAge as string);
    if (opts.maxSegmentAge !== undefined && !(maxSegmentAgeMs! > 0))
      throw new UsageError(`--max-segment-age must be a duration like 5m or 1h, got ${opts.maxSegmentAge}`);
    const format = opts.json ? 'json' : (opts.format as string);
    if (!['text', 'json', 'prometheus'].includes(format))
      throw new UsageError(`--format must be text, json or prometheus, got ${format}`);
    const result = await status({
      repository,
      database: opts.database as string | undefined,
      maxAgeMs,
      requireVerified: opts.requireVerified === true,
      maxLagMs,
      ...(opts.server ? { servers: opts.server as string[] } : {}),
      maxRetainedWalBytes: retainedWalLimit(opts.maxRetainedWalMib as string),
      ...(maxSegmentAgeMs !== undefined ? { maxSegmentAgeMs } : {}),
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
      if (result.chains.length > 0) {
        const rows = result.chains.map((c) => [
          c.ok ? 'ok' : 'FAIL',
          c.database,
          c.from
            ? `${c.from.slice(0, 19).replace('T', ' ')} to ${c.to!.slice(0, 19).replace('T', ' ')}`
            : '-',
          c.lagMs !== undefined ? formatAge(c.lagMs) : '-',
          c.lastSegmentAgeMs !== undefined ? formatAge(c.lastSegmentAgeMs) : '-',
          String(c.segments),
          formatBytes(c.segmentBytes),
          c.chain,
        ]);
        for (const line of formatTable(
          ['', 'DATABASE', 'RESTORABLE (UTC)', 'LAG', 'LAST SEGMENT', 'SEGMENTS', 'SIZE', 'CHAIN'],
          rows,
        ))
          ctx.result(line);
        for (const c of result.chains) for (const p of c.problems) ctx.result(`${c.database}: ${p}`);
      }
      if (result.slots.length > 0) {
        const rows = result.slots.map((sl) => [
          sl.ok ? 'ok' : 'FAIL',
          sl.slot,
          sl.database,
          sl.active ? 'yes' : 'no',
          formatBytes(sl.retainedBytes),
          sl.walStatus ?? '-',
          sl.chain ?? '(no chain here)',
        ]);
        for (const line of formatTable(
          ['', 'SLOT', 'DATABASE', 'ACTIVE', 'WAL HELD', 'WAL STATUS', 'CHAIN'],
          rows,
        ))
          ctx.result(line);
        for (const sl of result.slots) for (const p of sl.problems) ctx.result(`${sl.slot}: ${p}`);
      }
      if (result.leftovers.count > 0 || result.leftovers.unavailable)
        ctx.log(leftoversLine(result.leftovers));
    }
    if (!result.ok) throw new QuietFailure('unhealthy');
  });
  return command;
}

function retainedWalLimit(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--max-retained-wal-mib must be a positive number, got ${text}`);
  return n * 1024 * 1024;
}
