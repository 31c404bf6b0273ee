import { Command } from 'commander';
import { engineNameForUrl, enginePlugin } from '../../engines/registry.js';
import { UsageError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import type { CliContext } from '../context.js';
import { addEngineFlags, BACKUP_FLAGS, engineOptionsFrom } from '../engine-flags.js';
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
    .option(
      '--replica-identity-full',
      'PostgreSQL: also follow tables with REPLICA IDENTITY FULL (their changes are matched on every column)',
    )
    .option(
      '--retire',
      "don't follow: remove the server-side state of the source's newest chain (PostgreSQL: its replication slot and publication, which keep WAL); its backups stay restorable",
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
A chain you stop following for good: --retire drops its replication slot.
Started again, it continues the newest chain of the source where the
repository's segments end. Restore with: stowage restore REPOSITORY URL --until TIME`,
  );
  command.action(async (source: string, opts: Record<string, unknown>) => {
    // The operations load when a command runs, not for `--help` or `--version`.
    const { describeFollowEvent, follow, retireChain } = await import('../../ops/follow.js');
    const exposed = passwordOnCommandLine(source, 'source');
    if (exposed) ctx.log(`warning: ${exposed}`);
    const engine = engineNameForUrl(source);
    const engineOptions = engineOptionsFrom(BACKUP_FLAGS, opts, engine, command);
    if (opts.replicaIdentityFull) {
      // An option of the engines whose changes are matched by replica identity (PostgreSQL's).
      const plugin = enginePlugin(engine);
      if (!plugin.optionKeys.backup.includes('replicaIdentityFull'))
        throw new UsageError(`--replica-identity-full is not for ${plugin.label} sources`);
      engineOptions.replicaIdentityFull = true;
    }
    if (opts.retire) {
      const retired = await retireChain({
        source,
        to: opts.to as string,
        encryption: await keySourceFrom(opts),
        stores: storeOptionsFrom(opts),
        engineOptions,
      });
      if (opts.json) ctx.json({ retired: retired ?? null });
      else
        ctx.result(
          retired
            ? `retired chain ${retired}: its server-side state is gone, its backups stay restorable`
            : `no chain of ${redactUrl(source)} in ${opts.to as string}`,
        );
      return;
    }
    const summary = await follow({
      source,
      to: opts.to as string,
      segmentSeconds: positive(opts.segmentSeconds as string, '--segment-seconds'),
      segmentBytes: Math.round(positive(opts.segmentMib as string, '--segment-mib') * 1024 * 1024),
      jobs: parseJobs(opts.jobs as string),
      encryption: await keySourceFrom(opts),
      engineOptions,
      stores: storeOptionsFrom(opts),
      allowIncomplete: opts.allowIncomplete === true,
      onProgress: ctx.progress(true),
      onEvent: (event) => (opts.json ? ctx.json(event) : ctx.log(describeFollowEvent(event))),
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
