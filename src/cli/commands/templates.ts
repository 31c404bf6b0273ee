import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format-bytes.js';

/** `stowage templates list|drop URL`: the template databases `restore --template-cache` keeps. */
export function templatesCommand(ctx: CliContext): Command {
  const command = new Command('templates').description(
    'list or drop the template databases `restore --template-cache` keeps on a PostgreSQL server',
  );
  command
    .command('list')
    .description('list the cached templates on a server')
    .argument('<url>', 'postgres://… (any database of the server)')
    .option('--json', 'print a JSON array on stdout')
    .action(async (url: string, opts: { json?: boolean }) => {
      // The operations load when a command runs, not for `--help` or `--version`.
      const { listTemplates } = await import('../../ops/templates.js');
      const templates = await listTemplates(url, ctx.signal);
      if (opts.json) return ctx.json(templates);
      if (templates.length === 0) return ctx.log(`no cached templates on ${redactUrl(url)}`);
      for (const t of templates) ctx.log(`${t.name}  ${formatBytes(t.bytes)}  ${t.comment}`);
    });
  command
    .command('drop')
    .description('drop cached templates (named, or all of them with --all)')
    .argument('<url>', 'postgres://… (any database of the server)')
    .argument('[names...]', 'template names, as `templates list` shows them')
    .option('--all', 'drop every cached template on the server')
    .option('--json', 'print the dropped names as a JSON array on stdout')
    .action(async (url: string, names: string[], opts: { all?: boolean; json?: boolean }) => {
      if (opts.all && names.length > 0) throw new UsageError('give template names or --all, not both');
      const { dropTemplates } = await import('../../ops/templates.js');
      const dropped = await dropTemplates(url, opts.all ? { all: true } : { names }, ctx.signal);
      if (opts.json) return ctx.json(dropped);
      ctx.log(dropped.length ? `dropped ${dropped.join(', ')}` : `no cached templates on ${redactUrl(url)}`);
    });
  command.addHelpText(
    'after',
    `
Examples:
  $ stowage templates list postgres://app@localhost/postgres
  $ stowage templates drop postgres://app@localhost/postgres stowage_tpl_3f9a…
  $ stowage templates drop postgres://app@localhost/postgres --all`,
  );
  return command;
}
