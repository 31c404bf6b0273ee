import { Command, CommanderError } from 'commander';
import { StowageError, UsageError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { backupCommand } from './commands/backup.js';
import { inspectCommand } from './commands/inspect.js';
import { restoreCommand } from './commands/restore.js';
import type { CliContext } from './context.js';
import { progressLog } from './progress-log.js';

/**
 * The `stowage` command. Exit codes: 0 success, 1 failure, 2 bad usage,
 * 130 interrupted.
 */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: stopping; the partial archive will be removed (again to force)\n`);
    controller.abort(new StowageError('interrupted', `interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx: CliContext = {
    log: (line) => process.stderr.write(`${line}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
    progress: () => progressLog(),
    signal: controller.signal,
  };
  const program = new Command('stowage')
    .description('Back up and restore PostgreSQL and MongoDB through their native drivers.')
    .version(TOOL_VERSION)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const sub of [backupCommand(ctx), restoreCommand(ctx), inspectCommand(ctx)]) {
    program.addCommand(sub.exitOverride());
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, controller.signal.aborted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One line (plus a hint line) on stderr, and the exit code for it. */
function reportError(err: unknown, interrupted: boolean): number {
  if (err instanceof CommanderError) {
    // Commander has printed its own message already.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`stowage: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return 2;
  }
  if (err instanceof StowageError) {
    process.stderr.write(`stowage: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return interrupted ? 130 : 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`stowage: ${message.split('\n')[0]}\n`);
  if (process.env.STOWAGE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return interrupted ? 130 : 1;
}
