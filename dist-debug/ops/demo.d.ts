import { type ProgressListener } from '../progress.js';
import { type ContentComparison } from './content-check.js';
import { type VerifyResult } from './verify.js';
export interface DemoOptions {
    /** Where the demo repository goes; default a temporary folder, removed afterwards. */
    dir?: string;
    /** Multiplies the sample data (1 = about 10,000 rows). */
    scale?: number;
    /** Keep the archive (and the folder) afterwards. Default: keep only when `dir` is given. */
    keep?: boolean;
    onProgress?: ProgressListener;
    /** One line per step, for the CLI. */
    onStep?: (line: string) => void;
    signal?: AbortSignal;
}
export interface DemoResult {
    ok: boolean;
    archive: string;
    archiveBytes: number;
    rawBytes: number;
    rows: number;
    tables: number;
    timings: {
        seedMs: number;
        backupMs: number;
        verifyMs: number;
        restoreMs: number;
        compareMs: number;
    };
    verify: VerifyResult;
    comparison: ContentComparison;
    /** What the demo did differently from a restore into a real server, and why. */
    notes: string[];
    kept: boolean;
}
/**
 * The whole round trip on embedded PostgreSQL (PGlite), with no database
 * server installed: seed a sample shop database, back it up through the
 * PostgreSQL wire protocol exactly as a real server would be, verify the
 * archive frame by frame, restore it into a second, empty PGlite, and compare
 * every table's row count and content with the archive.
 */
export declare function runDemo(options?: DemoOptions): Promise<DemoResult>;
