import { Command } from 'commander';
import type { CompressionLevel } from '../../archive/frame-codec.js';
import { UsageError } from '../../errors.js';
import type { BenchReport } from '../../ops/bench.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { parseJobs } from '../parse-number.js';
import { passwordOnCommandLine } from '../password-warning.js';
import { formatDuration, formatTable } from '../table.js';

export function benchCommand(ctx: CliContext): Command {
  const command = new Command('bench')
    .description(
      'measure how fast a database reads and how big its archive is at several compression levels (writes nothing)',
    )
    .argument('<source-url>', 'postgres://… or mongodb://… (only read)')
    .option('--seconds <n>', 'time budget: big databases are sampled and the rest extrapolated', '30')
    .option('--levels <list>', 'compression levels to measure, comma-separated (1-19 or none)', '1,3,6,9')
    .option('-j, --jobs <n>', 'parallel connections', '2')
    .option(
      '--restore-into <scratch-url>',
      'also time restoring what was read into this scratch database (must not exist, or for MongoDB be empty); dropped afterwards',
    )
    .option(
      '--compare',
      'also time pg_dump -Fc / mongodump --archive --gzip on the same database, when on the PATH (and the restore tool with --restore-into)',
    )
    .option('--json', 'print one JSON object on stdout');
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage bench postgres://app@localhost/shop
  $ stowage bench mongodb://localhost:27017/shop --seconds 10 --levels 1,6,19 --json
  $ stowage bench postgres://app@localhost/shop --compare
  $ stowage bench postgres://app@localhost/shop --restore-into postgres://app@localhost/shop_bench_scratch`,
  );
  command.action(async (source: string, opts: Record<string, unknown>) => {
    const exposed = passwordOnCommandLine(source, 'source');
    if (exposed) ctx.log(`warning: ${exposed}`);
    const scratch = opts.restoreInto as string | undefined;
    const scratchExposed = scratch ? passwordOnCommandLine(scratch, 'scratch') : undefined;
    if (scratchExposed) ctx.log(`warning: ${scratchExposed}`);
    const seconds = Number(opts.seconds);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new UsageError(
        `--seconds must be a positive number, got ${String(opts.seconds)}`,
        'e.g. --seconds 30',
      );
    }
    // The operations load when a command runs, not for `--help` or `--version`.
    const { bench } = await import('../../ops/bench.js');
    const report = await bench({
      source,
      seconds,
      levels: parseLevels(opts.levels as string),
      jobs: parseJobs(opts.jobs as string),
      compare: opts.compare === true,
      ...(scratch ? { restoreInto: scratch } : {}),
      onProgress: ctx.progress(opts.json === true),
      signal: ctx.signal,
    });
    if (opts.json) ctx.json(report);
    else for (const line of benchReportLines(report)) ctx.result(line);
  });
  return command;
}

function parseLevels(text: string): CompressionLevel[] {
  const levels = text.split(',').map((t) => t.trim());
  return levels.map((t) => {
    if (t === 'none') return 'none';
    const n = Number(t);
    if (!Number.isInteger(n) || n < 1 || n > 19) {
      throw new UsageError(
        `--levels: "${t}" is not a compression level`,
        'give levels 1-19 or none, e.g. --levels 1,3,6',
      );
    }
    return n;
  });
}

const rate = (perSecond: number) => (perSecond > 0 ? `${formatBytes(perSecond)}/s` : '-');
const count = (perSecond: number) =>
  perSecond > 0 ? `${Math.round(perSecond).toLocaleString('en')}/s` : '-';

/**
 * A level that came out bigger than a lower one, said once: readers take it for a bug, but zstd
 * measures so on table rows (its level-3 match finder takes long-distance matches that cost more
 * than they save; `zstd -1`/`-3` give the same sizes), and the figures come from the same frames.
 */
function inversions(levels: BenchReport['levels']): string[] {
  const numbered = levels.filter((l): l is typeof l & { level: number } => typeof l.level === 'number');
  for (const higher of numbered) {
    const lower = numbered.find((l) => l.level < higher.level && l.ratio < higher.ratio);
    if (lower)
      return [
        `level ${higher.level} makes a bigger archive than level ${lower.level} on this data: zstd does so on some table rows (the same frames at each level), so pick by the table, not by the number`,
      ];
  }
  return [];
}

/** The report as a person reads it: per unit, per level, then the estimate. */
export function benchReportLines(r: BenchReport): string[] {
  const unitRows = r.units.map((u) => [
    u.unit,
    u.complete ? String(u.rows) : `${u.rows} of ~${u.estimatedRows}`,
    u.complete ? formatBytes(u.bytes) : `${formatBytes(u.bytes)} of ~${formatBytes(u.estimatedBytes ?? 0)}`,
    count(u.rowsPerSecond),
    rate(u.bytesPerSecond),
    u.fraction !== undefined ? `sampled ${percent(u.fraction)}` : u.complete ? '' : 'cut by the budget',
  ]);
  const sampledUnits = r.units.filter((u) => u.fraction !== undefined);
  const lines = [
    `${r.engine} ${r.database} (${r.source})${r.cut ? `: the ${r.budgetSeconds} s budget ended the read` : ''}`,
    ...(sampledUnits.length
      ? [
          `sampled to fit the ${r.budgetSeconds} s budget (each table/collection gets a fair share of it): ${sampledUnits.map((u) => `${u.unit} ${percent(u.fraction ?? 1)}`).join(', ')}; totals are extrapolated`,
        ]
      : []),
    '',
    ...formatTable(['UNIT', 'ROWS', 'BYTES', 'ROWS/S', 'READ', ''], unitRows),
    '',
    `read: ${r.read.rows} rows, ${formatBytes(r.read.bytes)} in ${formatDuration(r.read.seconds * 1000)} (${count(r.read.rowsPerSecond)} rows, ${rate(r.read.bytesPerSecond)})`,
    '',
    ...formatTable(
      ['LEVEL', 'ARCHIVE', 'RATIO', 'COMPRESS (1 thread)'],
      r.levels.map((l) => [
        `${l.level}${l.level === r.defaultLevel ? ' (default)' : ''}`,
        formatBytes(l.archiveBytes),
        `${(l.ratio * 100).toFixed(1)}%`,
        rate(l.bytesPerSecond),
      ]),
    ),
    `(measured on ${formatBytes(r.sampledBytes)} of data)`,
    ...inversions(r.levels),
    '',
    `full backup at level ${r.defaultLevel}: ~${formatDuration(r.estimate.seconds * 1000)}, ~${formatBytes(r.estimate.archiveBytes)} (${r.estimate.rows} rows, ${formatBytes(r.estimate.rawBytes)} raw)`,
  ];
  if (r.restore) {
    const t = r.restore.total;
    lines.push(
      '',
      `restore into ${r.restore.target} (dropped afterwards):`,
      ...formatTable(
        ['UNIT', 'ROWS', 'BYTES', 'ROWS/S', 'LOAD'],
        r.restore.units.map((u) => [
          u.unit,
          String(u.rows),
          formatBytes(u.bytes),
          count(u.rowsPerSecond),
          rate(u.bytesPerSecond),
        ]),
      ),
      `restore: ${t.rows} rows, ${formatBytes(t.bytes)} in ${formatDuration(t.seconds * 1000)} with schema and indexes (${count(t.rowsPerSecond)} rows, ${rate(t.bytesPerSecond)})`,
    );
  }
  for (const c of r.compare ?? []) {
    lines.push(
      !c.found
        ? `${c.tool}: not on the PATH`
        : c.error
          ? `${c.tool}: failed: ${c.error}`
          : `${c.tool}: ${formatDuration((c.seconds ?? 0) * 1000)}${c.bytes !== undefined ? `, ${formatBytes(c.bytes)}` : ''}`,
    );
    const p = c.restore;
    if (p)
      lines.push(
        !p.found
          ? `${p.tool}: not on the PATH`
          : p.error
            ? `${p.tool}: failed: ${p.error}`
            : `${p.tool} (the whole dump, into ${r.restore?.target ?? 'the scratch database'}): ${formatDuration((p.seconds ?? 0) * 1000)}`,
      );
  }
  return lines;
}

function percent(fraction: number): string {
  const p = fraction * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toPrecision(2)}%`;
}
