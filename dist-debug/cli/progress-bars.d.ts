import type { ProgressListener } from '../progress.js';
/** A progress renderer for a terminal; `log` prints a line above the bars. */
export type ProgressBars = ProgressListener & {
    log(line: string): void;
    stop(): void;
};
/**
 * Renders progress as bars on a terminal: one for the whole job with
 * throughput and ETA, and one per table/collection in flight. Bars measure
 * bytes when the engine estimated sizes (backup), rows/documents when it
 * knows counts (restore), else finished tables. Phases, warnings and finished
 * tables print above the bars; the bars disappear when the job is done.
 */
export declare function progressBars(stream?: NodeJS.WriteStream): ProgressBars;
