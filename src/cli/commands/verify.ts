import { Command } from 'commander';
import { counted } from '../../engines/nouns.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { parseJobs } from '../parse-number.js';
import { passwordOnCommandLine } from '../password-warning.js';
import { QuietFailure } from '../quiet-failure.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';

export function verifyCommand(ctx: CliContext): Command {
  const command = new Command('verify')
    .description(
      'check every frame, checksum and stream of an archive; optionally restore it into a scratch database',
    )
    .argument('<archive>', 'path or s3://bucket/prefix/NAME.stow')
    .option(
      '--restore-test <scratch-url>',
      'also restore into this scratch database (must not exist or be empty), compare every table/collection, then drop it',
    )
    .option('-j, --jobs <n>', 'parallel connections for the restore test', '2')
    .option('--no-record', 'do not write NAME.stow.verify.json beside the archive')
    .option('--json', 'print the result as JSON on stdout');
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage verify backups/shop-20261121-020000.stow
  $ stowage verify s3://backups/prod/shop-20261121-020000.stow --restore-test postgres://app@localhost/shop_verify

Exit code 1 when the archive is damaged or the restore test finds a difference.`,
  );
  command.action(async (archive: string, opts: Record<string, unknown>) => {
    if (archive === '-') {
      throw new UsageError(
        'verify reads an archive file and records the result beside it; it does not read stdin',
        'save the archive to a file first, or check a piped archive with: stowage inspect - (or restore -, which refuses a damaged one)',
      );
    }
    const exposed = passwordOnCommandLine(opts.restoreTest as string | undefined, '--restore-test');
    if (exposed) ctx.log(`warning: ${exposed}`);
    // The operations load when a command runs, not for `--help` or `--version`.
    const { verify } = await import('../../ops/verify.js');
    const result = await verify({
      archive,
      encryption: await keySourceFrom(opts),
      stores: storeOptionsFrom(opts),
      restoreTest: opts.restoreTest as string | undefined,
      jobs: parseJobs(opts.jobs as string),
      record: opts.record !== false,
      onProgress: ctx.progress(opts.json === true),
      signal: ctx.signal,
    });
    if (opts.json) ctx.json(result);
    else {
      for (const s of result.streams) {
        ctx.result(
          `${s.ok ? 'ok    ' : 'FAILED'}  ${s.name}  ${counted(s.items, 'item')}, ${counted(s.frames, 'frame')}${s.problem ? `: ${s.problem}` : ''}`,
        );
      }
      if (result.restoreTest) {
        for (const u of result.restoreTest.units) {
          ctx.result(
            `${u.match ? 'ok    ' : 'DIFFERS'}  restored ${u.unit}: ${u.databaseItems}/${u.archiveItems} items${u.match ? ` (${u.method === 'bytes' ? 'identical bytes' : 'same rows, other order'})` : `: ${u.problem}`}`,
          );
        }
      }
      for (const p of result.problems) ctx.result(`problem: ${p}`);
      if (result.incomplete)
        ctx.result(
          `INCOMPLETE: the backup lacks ${result.incomplete.join(', ')} (the archive itself is intact)`,
        );
      ctx.result(
        result.ok
          ? `verified ${result.archive}${result.restoreTest ? ` and restore-tested into ${result.restoreTest.target}` : ''}`
          : `VERIFICATION FAILED: ${result.archive}`,
      );
    }
    if (!result.ok) {
      // Already reported above; the error only sets the exit code.
      throw new QuietFailure();
    }
  });
  return command;
}
