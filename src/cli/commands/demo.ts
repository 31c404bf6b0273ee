import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';
import { QuietFailure } from '../quiet-failure.js';
import { formatDuration } from '../table.js';

export function demoCommand(ctx: CliContext): Command {
  const command = new Command('demo')
    .description(
      'a complete round trip on embedded PostgreSQL (PGlite): seed, back up, verify, restore, compare — no server needed',
    )
    .option(
      '--dir <folder>',
      'keep the demo repository here (default: a temporary folder, removed afterwards)',
    )
    .option('--scale <n>', 'multiply the sample data (1 ≈ 10,000 rows)', '1')
    .option('--json', 'print the result as JSON on stdout');
  command.addHelpText(
    'after',
    `
Examples:
  $ npx stowage demo
  $ npx stowage demo --dir ./demo --scale 10`,
  );
  command.action(async (opts: Record<string, unknown>) => {
    const scale = Number(opts.scale);
    if (!Number.isInteger(scale) || scale < 1 || scale > 1000)
      throw new UsageError(`--scale must be 1–1000, got ${opts.scale}`);
    // The demo (and PGlite) load when it runs, not for `--help` or `--version`.
    const { runDemo } = await import('../../ops/demo.js');
    const result = await runDemo({
      dir: opts.dir as string | undefined,
      scale,
      onProgress: ctx.progress(opts.json === true),
      onStep: (line) => ctx.log(`==> ${line}`),
      signal: ctx.signal,
    });
    if (opts.json) ctx.json(result);
    else {
      const t = result.timings;
      ctx.log('');
      for (const u of result.comparison.units) {
        ctx.log(
          `  ${u.match ? 'same' : 'DIFFERENT'}  ${u.unit}: ${u.databaseItems} rows restored, ${u.archiveItems} in the archive${u.problem ? ` — ${u.problem}` : ''}`,
        );
      }
      ctx.log('');
      ctx.log(
        `${result.ok ? 'Round trip OK' : 'Round trip FAILED'}: ${result.rows} rows in ${result.tables} tables, ` +
          `${formatBytes(result.rawBytes)} of table data → ${formatBytes(result.archiveBytes)} archive.`,
      );
      ctx.log(
        `  seed ${formatDuration(t.seedMs)}, backup ${formatDuration(t.backupMs)}, verify ${formatDuration(t.verifyMs)}, ` +
          `restore ${formatDuration(t.restoreMs)}, compare ${formatDuration(t.compareMs)}`,
      );
      ctx.log(
        result.kept
          ? `  archive kept: ${result.archive}`
          : '  (temporary files removed; --dir DIR keeps them)',
      );
      for (const note of result.notes) ctx.log(`  note: ${note}`);
    }
    if (!result.ok) throw new QuietFailure('demo round trip differs');
  });
  return command;
}
