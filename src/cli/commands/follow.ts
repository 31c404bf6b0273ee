import { Command } from 'commander';
import { engineNameForUrl } from '../../engines/registry.js';
import { UsageError } from '../../errors.js';
import { type FollowEvent, follow } from '../../ops/follow.js';
import type { CliContext } from '../context.js';
import { addEngineFlags, BACKUP_FLAGS, engineOptionsFrom } from '../engine-flags.js';
import { formatBytes } from '../format-bytes.js';
import { addKeyOptions, keySourceFrom } from '../key-options.js';
import { parseJobs } from '../parse-number.js';
import { passwordOnCommandLine } from '../password-warning.js';
import { addStoreOptions, storeOptionsFrom } from '../store-flags.js';

export function followCommand(ctx: CliContext): Command {
  const command = new Command('follow')
    .description(
      'continuous backup: a base, then every committed change into the repository as segments, until stopped',
    )
    .argument('<source-url>', 'postgres://… or mongodb://… (the password is never printed or stored)')
    .requiredOption('--to <repository>', 'repository: a folder or s3://bucket/prefix')
    .option('--segment-seconds <n>', 'publish the open segment once its first change is this old', '60')
    .option('--segment-mib <n>', 'publish the open segment once it holds this many MiB of changes', '16')
    .option('-j, --jobs <n>', 'parallel connections for a base', '2')
    .option(
      '--allow-incomplete',
      'keep a base even when the source has objects stowage cannot back up (marked INCOMPLETE)',
    )
    .option('--json', 'print one JSON line per event on stdout');
  addEngineFlags(command, BACKUP_FLAGS);
  addKeyOptions(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage follow mongodb://db1/shop --to ./backups
  $ stowage follow postgres://app@db/shop --to s3://backups/prod --segment-seconds 30

Runs until SIGTERM or Ctrl-C, then publishes the open segment and stops.
Started again, it continues the newest chain of the source where the
repository's segments end. Restore with: stowage restore REPOSITORY URL --until TIME`,
  );
  command.action(async (source: string, opts: Record<string, unknown>) => {
    const exposed = passwordOnCommandLine(source, 'source');
    if (exposed) ctx.log(`warning: ${exposed}`);
    const engine = engineNameForUrl(source);
    const summary = await follow({
      source,
      to: opts.to as string,
      segmentSeconds: positive(opts.segmentSeconds as string, '--segment-seconds'),
      segmentBytes: Math.round(positive(opts.segmentMib as string, '--segment-mib') * 1024 * 1024),
      jobs: parseJobs(opts.jobs as string),
      encryption: await keySourceFrom(opts),
      engineOptions: engineOptionsFrom(BACKUP_FLAGS, opts, engine, command),
      stores: storeOptionsFrom(opts),
      allowIncomplete: opts.allowIncomplete === true,
      onProgress: ctx.progress(true),
      onEvent: (event) => (opts.json ? ctx.json(event) : ctx.log(describeEvent(event))),
      signal: ctx.signal,
    });
    if (!opts.json) {
      ctx.log(
        `stopped: ${summary.segments} segments, ${summary.transactions} changes stored${summary.position ? `, up to ${summary.position}` : ''}`,
      );
    }
  });
  return command;
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got ${text}`);
  return n;
}

/** One line per event, for people. */
export function describeEvent(event: FollowEvent): string {
  switch (event.type) {
    case 'chain-started':
      return `new chain ${event.chain}${event.reason ? ` (${event.reason})` : ''}: base ${event.base}, changes from ${event.position}`;
    case 'chain-resumed':
      return `continuing chain ${event.chain} after ${event.position} (next segment ${event.nextSegment})`;
    case 'segment':
      return `segment ${event.name}: ${event.transactions} changes, ${formatBytes(event.bytes)}, up to ${event.position}`;
    case 'chain-broken':
      return `chain ${event.chain} ends: ${event.reason}`;
    case 'stopped':
      return `chain ${event.chain ?? '-'} stopped at ${event.position ?? '-'}`;
  }
}
