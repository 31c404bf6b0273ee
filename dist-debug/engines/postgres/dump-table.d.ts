import type { ProgressListener } from '../../progress.js';
import type { StreamWriterSet } from '../engine.js';
import type { PgSession } from './connect.js';
import type { PgTableData } from './model.js';
import { type TablePart } from './table-parts.js';
/** The COPY column list: explicit, so generated and dropped columns never travel and order is fixed. */
export declare function copyColumns(table: PgTableData): string;
/** How often a running COPY reports progress. */
export declare const PROGRESS_INTERVAL_MS = 250;
/**
 * Streams one table, or one block range of it, into its archive stream: `COPY ... TO STDOUT` written into
 * the stream with backpressure end to end (the socket is not read while the
 * archive is busy, so the server waits rather than Node buffering the table).
 * Rows are counted from the protocol messages (see copy-out.ts) and checked
 * against the server's own count.
 *
 * @returns rows copied
 */
export declare function dumpTable(session: PgSession, table: PgTableData, part: TablePart, streams: StreamWriterSet, progress: ProgressListener): Promise<number>;
