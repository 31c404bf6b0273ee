import type { PgSession } from './connect.js';
import type { PgTableData } from './model.js';
/**
 * Splitting big tables into block ranges, so that `--jobs` sessions can copy
 * one table at once.
 *
 * Why: a database is often one or two big tables and many small ones. Copied
 * whole, the biggest table is the long pole: the other sessions run out of
 * work and the backup takes as long as that one COPY. Cut into block ranges,
 * the parts spread over all sessions. Each part is a TID range scan
 * (`ctid >= '(a,0)' AND ctid < '(b,0)'`, which PostgreSQL 14+ executes by
 * reading only those blocks) inside the shared snapshot, so the parts together
 * hold exactly the rows a whole-table COPY would. Each part goes to its own
 * archive stream as a complete COPY stream, so restore loads parts in parallel
 * too.
 *
 * The last part has no upper bound: rows the snapshot sees cannot lie beyond
 * the size measured after the snapshot was taken, and an open end makes that
 * true by construction rather than by argument.
 */
/**
 * Tables at least twice this size (main fork) are split; parts are about this
 * big. Small enough that two sessions end within a fraction of a second of
 * each other, big enough that the per-COPY cost is noise.
 */
export declare const DEFAULT_SPLIT_BYTES: number;
/** A huge table gets bigger parts rather than thousands of streams. */
export declare const MAX_PARTS_PER_TABLE = 64;
/** TID range scans arrived in PostgreSQL 14; before that a ctid range reads the whole table per part. */
export declare const MIN_SPLIT_SERVER_VERSION = 140000;
/** One COPY of a table: the whole table, or the rows in blocks [fromBlock, toBlock). */
export interface TablePart {
    stream: string;
    fromBlock?: number;
    /** Exclusive; absent on the last part (and on a whole table). */
    toBlock?: number;
    estimatedRows: number;
    estimatedBytes: number;
}
/**
 * Stream name of part `ordinal` (1-based) of a table. `#` cannot occur in an
 * unquoted identifier and a quoted one ends in `"`, so the suffix is never
 * part of a table name.
 */
export declare function partStreamName(table: string, ordinal: number): string;
/** The table a data stream holds (a part of): `public.t#2` is `public.t`. */
export declare function tableOfStream(stream: string): string;
/**
 * Cuts a table of `blocks` blocks into parts of about `splitBytes` each, or
 * returns it whole when it is smaller than two parts.
 *
 * The table's last stretch is cut finer: halves of what is left, down to a
 * quarter part (…, 1, 1, ½, ¼, ¼). Parts are handed out biggest first, so
 * the small ones come last, and sessions that finish together leave less of
 * one session working alone at the end: on the issue-3 dataset a last 64 MiB
 * part of the 1M-row table kept one restore session busy for half a second
 * after the other had run out of work.
 */
export declare function planParts(table: Pick<PgTableData, 'streams' | 'estimatedRows' | 'estimatedBytes' | 'columns'>, blocks: number, blockSize: number, splitBytes: number): TablePart[];
/** Main-fork size in blocks of each table, read inside the backup snapshot's session. */
export declare function readTableBlocks(session: PgSession, oids: number[]): Promise<{
    blocks: Map<number, number>;
    blockSize: number;
}>;
/** The WHERE clause that selects a part's rows by physical position. */
export declare function partFilter(part: TablePart): string;
