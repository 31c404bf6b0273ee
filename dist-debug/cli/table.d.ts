/**
 * Plain-text tables for human output: left-aligned columns separated by two
 * spaces, headers in capitals, as `ls -l`-style tools print them.
 */
export declare function formatTable(headers: string[], rows: string[][]): string[];
/** `2026-11-21 02:00` in UTC, like archive names. */
export declare function formatDate(date: Date): string;
/** `4.2 s`, `3m 05s`, `1h 02m`. */
export declare function formatDuration(ms: number | undefined): string;
