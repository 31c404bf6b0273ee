import type { ProgressListener } from '../progress.js';
/**
 * Renders progress as timestamped log lines on stderr: what cron, systemd and
 * CI logs want. Per-unit progress is throttled to one line every few seconds.
 */
export declare function progressLog(write?: (line: string) => void): ProgressListener;
