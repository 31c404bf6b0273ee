import type { ProgressListener } from '../progress.js';

/** Questions the CLI asks a person at a terminal; replaceable in tests. */
export interface Prompter {
  confirm(message: string, defaultAnswer: boolean): Promise<boolean>;
  select(message: string, choices: { name: string; value: string; description?: string }[]): Promise<string>;
}

/** What every command needs from the process: output channels, progress rendering, prompts, cancellation. */
export interface CliContext {
  /** Logs, warnings and notices: stderr, so stdout stays clean for results, --json and archives piped to stdout. */
  log(line: string): void;
  /** A line of a command's result (a table, a verdict) on stdout, for `stowage list R | grep shop`. */
  result(line: string): void;
  /** The one JSON object a --json command prints on stdout. */
  json(value: unknown): void;
  /** Raw text on stdout (Prometheus metrics). */
  out(text: string): void;
  /** A progress renderer: bars on a terminal, timestamped log lines otherwise (and always with --json). */
  progress(json: boolean): ProgressListener;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** A person is at the terminal (stdin and stderr are TTYs): prompts are possible. */
  interactive: boolean;
  prompt: Prompter;
  /** Where `restore -` reads an archive from. */
  stdin: AsyncIterable<Buffer | string> & { isTTY?: boolean };
}
