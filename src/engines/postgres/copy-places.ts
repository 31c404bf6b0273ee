import type { TablePart } from './table-parts.js';

/** Tables at most this big (estimated) share a query with others (see copy-out-batch.ts). */
export const SMALL_TABLE_BYTES = 256 * 1024;

/** A whole table small enough to share a query with others. */
export function isSmallPart(part: TablePart): boolean {
  return part.fromBlock === undefined && part.estimatedBytes <= SMALL_TABLE_BYTES;
}

/**
 * The places the copy tasks run in (see runSchedule's workers): each session
 * twice when every table to copy is small, so that the driver holds a second
 * batch's query and sends it the moment the server has answered the first.
 * With one place per session the server waited while the client compressed
 * and closed the first batch's hundred streams (3–17 ms a batch at 3,000
 * tables, a third of the data phase's wall time). A big table's long COPY would
 * hold a second task back that a free session could take, and large objects
 * are one long task too: one place per session then.
 */
export function copyPlaces<W>(
  sessions: W[],
  parts: TablePart[],
  how: { batching: boolean; largeObjects: boolean },
): W[] {
  if (!how.batching || how.largeObjects || !parts.every(isSmallPart)) return sessions;
  return [...sessions, ...sessions];
}
