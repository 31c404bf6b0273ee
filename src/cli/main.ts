import { Command, CommanderError } from 'commander';
import { StowageError, UsageError } from '../errors.js';
import type { ProgressListener } from '../progress.js';
import { TOOL_VERSION } from '../version.js';
import { backupCommand } from './commands/backup.js';
import { daemonCommand } from './commands/daemon.js';
import { demoCommand } from './commands/demo.js';
import { inspectCommand } from './commands/inspect.js';
import { listCommand } from './commands/list.js';
import { pruneCommand } from './commands/prune.js';
import { restoreCommand } from './commands/restore.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';
import type { CliContext, Prompter } from './context.js';
import { type ProgressBars, progressBars } from './progress-bars.js';
import { progressLog } from './progress-log.js';
import { terminalPrompter } from './prompter.js';
import { QuietFailure } from './quiet-failure.js';

/** Where the CLI writes and whom it asks; the real process by default, replaceable in tests. */
export interface CliIo {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** A person is at the terminal. Default: stdin and stderr are TTYs. */
  interactive?: boolean;
  prompt?: Prompter;
  /** Where `restore -` reads an archive from. Default: the process's stdin. */
  stdin?: AsyncIterable<Buffer | string> & { isTTY?: boolean };
}

/**
 * The `stowage` command. Exit codes: 0 success, 1 failure, 2 bad usage,
 * 130 interrupted.
 */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    stderr.write(`\n${signal}: stopping; a partial archive is removed (again to force)\n`);
    controller.abort(new StowageError('interrupted', `interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interactive = io.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  const renderers: ProgressBars[] = [];
  const ctx: CliContext = {
    // While bars are on screen, lines go above them instead of through them.
    log: (line) => (renderers.length ? renderers.at(-1)!.log(line) : stderr.write(`${line}\n`)),
    json: (value) => stdout.write(`${JSON.stringify(value)}\n`),
    out: (text) => stdout.write(text),
    progress: (json): ProgressListener => {
      // Bars only for a person watching a real terminal; logs, CI and --json get plain timestamped lines.
      if (!json && interactive && !io.stderr && process.stderr.isTTY) {
        const bars = progressBars(process.stderr);
        renderers.push(bars);
        return bars;
      }
      return progressLog((line) => stderr.write(`${line}\n`));
    },
    signal: controller.signal,
    interactive,
    prompt: io.prompt ?? terminalPrompter(controller.signal),
    stdin: io.stdin ?? process.stdin,
  };
  const program = new Command('stowage')
    .description('Back up and restore PostgreSQL and MongoDB through their native drivers.')
    .version(TOOL_VERSION)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => stderr.write(s), writeOut: (s) => stdout.write(s) });
  program.addHelpText(
    'after',
    `
Exit codes: 0 success, 1 failure, 2 bad usage, 130 interrupted.
Try it without a database server:  stowage demo`,
  );
  const commands = [
    backupCommand(ctx),
    restoreCommand(ctx),
    listCommand(ctx),
    inspectCommand(ctx),
    verifyCommand(ctx),
    pruneCommand(ctx),
    statusCommand(ctx),
    daemonCommand(ctx),
    demoCommand(ctx),
  ];
  for (const sub of commands) {
    sub.configureOutput({ writeErr: (s) => stderr.write(s), writeOut: (s) => stdout.write(s) });
    program.addCommand(sub.exitOverride());
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    for (const r of renderers.splice(0)) r.stop();
    return reportError(err, controller.signal.aborted, (s) => stderr.write(s));
  } finally {
    for (const r of renderers) r.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One line (plus a hint line) on stderr, and the exit code for it. */
function reportError(err: unknown, interrupted: boolean, write: (s: string) => void): number {
  if (err instanceof CommanderError) {
    // Commander has printed its own message already.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
      ? 0
      : 2;
  }
  if (err instanceof UsageError) {
    write(`stowage: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return 2;
  }
  if (err instanceof QuietFailure) return 1;
  if (isPromptCancel(err)) {
    write('stowage: cancelled\n');
    return 130;
  }
  if (err instanceof StowageError) {
    write(`stowage: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    if (process.env.STOWAGE_DEBUG) write(`${err.stack}\n`);
    return interrupted || err.code === 'interrupted' ? 130 : 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  write(`stowage: ${message.split('\n')[0]}\n`);
  if (process.env.STOWAGE_DEBUG && err instanceof Error) write(`${err.stack}\n`);
  return interrupted ? 130 : 1;
}

/** Ctrl-C in a prompt (inquirer's ExitPromptError) or a prompt aborted by a signal. */
function isPromptCancel(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError';
}
