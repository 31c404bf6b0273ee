/**
 * Progress events emitted by backup and restore. The library emits them; the CLI
 * renders them (bars on a terminal, log lines elsewhere). A "unit" is one
 * stream: a table or collection, or one part of one. Each `plan` starts an
 * operation: counters start again from zero.
 */
export type ProgressEvent =
  | { type: 'phase'; phase: string; message?: string }
  | {
      type: 'plan';
      /** One per stream (a table copied in parts has several). */
      units: { name: string; estimatedItems?: number; estimatedBytes?: number }[];
      /** What the plan covers in the engine's words ("3 tables"): parts of one table count once. */
      summary?: string;
    }
  | { type: 'unit-start'; name: string }
  | { type: 'unit-progress'; name: string; items: number; bytes: number }
  | { type: 'unit-done'; name: string; items: number; bytes: number }
  | { type: 'warning'; message: string };

export type ProgressListener = (event: ProgressEvent) => void;

/** A listener that ignores everything, for callers that do not care. */
export const ignoreProgress: ProgressListener = () => {};
