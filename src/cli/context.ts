import type { ProgressListener } from '../progress.js';

/** What every command needs from the process: output channels, progress rendering, cancellation. */
export interface CliContext {
  /** Human output: stderr, so stdout stays clean for --json and archives piped to stdout. */
  log(line: string): void;
  /** The one JSON object a --json command prints on stdout. */
  json(value: unknown): void;
  /** A progress renderer, quiet when `json` (progress then goes nowhere but logs). */
  progress(json: boolean): ProgressListener;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}
