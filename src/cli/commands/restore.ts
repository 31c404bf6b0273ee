import { Command } from 'commander';
import { engineNameForUrl } from '../../engines/registry.js';
import { restore } from '../../ops/restore.js';
import type { CliContext } from '../context.js';
import { addEngineFlags, engineOptionsFrom, RESTORE_FLAGS } from '../engine-flags.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { parseJobs } from '../parse-number.js';

export function restoreCommand(ctx: CliContext): Command {
  const command = new Command('restore')
    .description('restore a .stow archive into a database')
    .argument('<archive>', 'path of the .stow archive')
    .argument('<target-url>', 'postgres://… or mongodb://… matching the archive\'s engine')
    .option('-j, --jobs <n>', 'parallel connections', '2')
    .option('--json', 'print one JSON object on stdout');
  addEngineFlags(command, RESTORE_FLAGS);
  addKeyOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage restore backups/shop-20261121-020000.stow postgres://app@localhost/shop_test --create
  $ stowage restore shop.stow postgres://app@localhost/shop --clean --jobs 4
  $ stowage restore shop.stow mongodb://localhost/ --drop --ns-from 'shop.*' --ns-to 'shop_copy.*'`,
  );
  command.action(async (archive: string, target: string, opts: Record<string, unknown>) => {
    const engine = engineNameForUrl(target);
    const summary = await restore({
      archive,
      target,
      jobs: parseJobs(opts.jobs as string),
      encryption: await keySourceFrom(opts),
      engineOptions: engineOptionsFrom(RESTORE_FLAGS, opts, engine, command),
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
      });
    } else {
      for (const w of summary.warnings) ctx.log(`warning: ${w}`);
      ctx.log(`restored ${items} rows/documents into ${summary.database} in ${(summary.durationMs / 1000).toFixed(1)} s`);
    }
  });
  return command;
}
