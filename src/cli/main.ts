import { Command, CommanderError } from 'commander';
import { type ErrorCode, EXIT, exitStatusFor } from '../error-codes.js';
import { StowageError } from '../errors.js';
import type { ProgressListener } from '../progress.js';
import { refuseInProcessStores } from '../store/in-process-refusal.js';
import { TOOL_VERSION } from '../version.js';
import { backupCommand } from './commands/backup.js';
import { benchCommand } from './commands/bench.js';
import { daemonCommand } from './commands/daemon.js';
import { demoCommand } from './commands/demo.js';
import { followCommand } from './commands/follow.js';
import { inspectCommand } from './commands/inspect.js';
import { listCommand } from './commands/list.js';
import { pruneCommand } from './commands/prune.js';
import { restoreCommand } from './commands/restore.js';
import { statusCommand } from './commands/status.js';
import { templatesCommand } from './commands/templates.js';
import { verifyCommand } from './commands/verify.js';
import type { CliContext, Prompter } from './context.js';
import { helpJson } from './help-json.js';
import type { ProgressBars } from './progress-bars.js';
import { progressLog } from './progress-log.js';
import { terminalPrompter } from './prompter.js';
import { QuietFailure } from './quiet-failure.js';
import { addDeferredStoreOptions } from './store-flags.js';
import { tickWriter } from './tick-writer.js';

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
 * 130 interrupted; each error code's status is in ../error-codes.ts. With
 * `--json`, stdout holds exactly one JSON object, `{"error": {...}}` on failure,
 * `{"version"}` for `--version` and {@link HelpJson} for `--help`.
 */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const interactive = io.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  // Lines for logs (cron, CI, a bench) leave once per tick, not one system call each; a person at
  // the terminal gets bars and prompts, which write to the terminal themselves, so nothing is held back.
  const stderrSink = io.stderr ?? process.stderr;
  const stderr = interactive
    ? { write: (text: string) => void stderrSink.write(text), flush: () => {} }
    : tickWriter(stderrSink);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      stderr.flush();
      process.exit(130);
    }
    stderr.write(`\n${signal}: ${interruptNote(argv)} (again to force)\n`);
    controller.abort(new StowageError('interrupted', `interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const renderers: ProgressBars[] = [];
  const json = wantsJson(argv);
  let printedJson = false;
  // Bars only for a person watching a real terminal; logs, CI and --json get plain timestamped lines.
  const wantsBars = interactive && !io.stderr && process.stderr.isTTY === true;
  // The bars' module (cli-progress) loads once a command runs (preAction below), not for --help or --version.
  let progressBars: typeof import('./progress-bars.js').progressBars | undefined;
  const ctx: CliContext = {
    // While bars are on screen, lines go above them instead of through them.
    log: (line) => (renderers.length ? renderers.at(-1)!.log(line) : stderr.write(`${line}\n`)),
    json: (value) => {
      printedJson = true;
      // The lines held for this tick go first: in one terminal or log (2>&1) they happened before.
      stderr.flush();
      stdout.write(`${JSON.stringify(value)}\n`);
    },
    result: (line) => {
      // Results come once the work is done: bars leave the terminal before them, and so do the
      // log lines held for this tick (a step logged just before the result, in the same tick).
      for (const r of renderers.splice(0)) r.stop();
      stderr.flush();
      stdout.write(`${line}\n`);
    },
    out: (text) => stdout.write(text),
    progress: (json): ProgressListener => {
      if (!json && wantsBars && progressBars) {
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
  // With --json, what commander prints for --help and --version is held back and printed as one JSON object.
  let heldOut = '';
  let helpFor: Command | undefined;
  const writeOut = (s: string) => {
    if (json) heldOut += s;
    else stdout.write(s);
  };
  const program = new Command('stowage')
    .description('Back up and restore PostgreSQL and MongoDB through their native drivers.')
    .version(TOOL_VERSION)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => stderr.write(s), writeOut })
    .hook('preSubcommand', async (_program, subcommand) => {
      // The command's store flags are added once it is chosen, before it parses (plain data, no zod).
      await addDeferredStoreOptions(subcommand);
    })
    .hook('preAction', async () => {
      refuseInProcessStores();
      if (wantsBars) progressBars = (await import('./progress-bars.js')).progressBars;
    });
  program.on('beforeAllHelp', (context: { command: Command }) => {
    helpFor = context.command;
  });
  program.addHelpText(
    'after',
    `
Exit codes: 0 success, 1 failure or a declined confirmation, 2 bad usage, 130 interrupted by a signal.
With --json, stdout holds one JSON object; a failure prints {"error": {"code", "message", "hint"}}.
Try it without a database server:  stowage demo`,
  );
  const commands = [
    backupCommand(ctx),
    followCommand(ctx),
    restoreCommand(ctx),
    listCommand(ctx),
    inspectCommand(ctx),
    verifyCommand(ctx),
    pruneCommand(ctx),
    statusCommand(ctx),
    templatesCommand(ctx),
    daemonCommand(ctx),
    demoCommand(ctx),
    benchCommand(ctx),
  ];
  for (const sub of commands) {
    sub.configureOutput({ writeErr: (s) => stderr.write(s), writeOut });
    program.addCommand(sub.exitOverride());
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    for (const r of renderers.splice(0)) r.stop();
    if (json && err instanceof CommanderError && err.exitCode === 0) {
      if (err.code === 'commander.version') stdout.write(`${JSON.stringify({ version: TOOL_VERSION })}\n`);
      else if (helpFor) stdout.write(`${JSON.stringify(helpJson(helpFor, heldOut))}\n`);
      return EXIT.ok;
    }
    const failure = describeError(err, controller.signal.aborted);
    if (failure.line) stderr.write(failure.line);
    if (json && !printedJson && failure.error) stdout.write(`${JSON.stringify({ error: failure.error })}\n`);
    return failure.exit;
  } finally {
    for (const r of renderers) r.stop();
    stderr.flush();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** What a failure prints and the exit status for it. */
interface Failure {
  /** For stderr: one line, plus a hint line; empty when already reported. */
  line: string;
  /** For `--json`: the `error` object; absent when the command printed its own JSON. */
  error?: { code: ErrorCode; message: string; hint?: string };
  exit: number;
}

function describeError(err: unknown, interrupted: boolean): Failure {
  if (err instanceof CommanderError) {
    // Commander has printed its own message already.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return { line: '', exit: EXIT.ok };
    const message = err.message.replace(/^error: /, '').split('\n')[0]!;
    return { line: '', error: { code: 'usage', message }, exit: EXIT.usage };
  }
  if (err instanceof QuietFailure) return { line: '', exit: exitStatusFor(err.code) };
  if (isPromptCancel(err)) {
    return {
      line: 'stowage: cancelled\n',
      error: { code: 'interrupted', message: 'cancelled' },
      exit: exitStatusFor('interrupted'),
    };
  }
  if (err instanceof StowageError) {
    const debug = process.env.STOWAGE_DEBUG ? `${err.stack}\n` : '';
    return {
      line: `stowage: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}${debug}`,
      error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) },
      exit: interrupted ? EXIT.interrupted : exitStatusFor(err.code),
    };
  }
  // Not raised on purpose: a bug or an error a driver passed through unclassified.
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  const debug = process.env.STOWAGE_DEBUG && err instanceof Error ? `${err.stack}\n` : '';
  return {
    line: `stowage: ${message}\n${debug}`,
    error: { code: 'internal', message },
    exit: interrupted ? EXIT.interrupted : EXIT.failure,
  };
}

/** `--json` or `--format json` among the arguments (before `--`): failures then print JSON too. */
export function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  return args.some(
    (a, i) => a === '--json' || a === '--format=json' || (a === '--format' && args[i + 1] === 'json'),
  );
}

/** Ctrl-C in a prompt (inquirer's ExitPromptError) or a prompt aborted by a signal. */
function isPromptCancel(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError';
}

/**
 * What stopping means for the command being run, said as the first signal arrives: only a backup
 * (or a daemon's run) has a partial archive to remove; a restore drops a database it created
 * (unless --keep-failed) and otherwise keeps what it wrote, as pg_restore does.
 */
export function interruptNote(argv: readonly string[]): string {
  const command = argv.find((arg) => !arg.startsWith('-'));
  if (command === 'backup' || command === 'daemon') return 'stopping; a partial archive is removed';
  if (command === 'restore')
    return argv.includes('--keep-failed')
      ? 'stopping; a database created by this restore is kept with what was restored into it (--keep-failed)'
      : 'stopping; a database created by this restore is dropped';
  return 'stopping';
}
