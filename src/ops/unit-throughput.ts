/** How fast one table or collection moved, in a `stowage bench` report (read or restored). */
export interface UnitThroughput {
  unit: string;
  /** Rows or documents. */
  rows: number;
  /** Bytes as a backup archives them, before compression. */
  bytes: number;
  /** Wall time from the unit's first byte to its last. */
  seconds: number;
  rowsPerSecond: number;
  bytesPerSecond: number;
}

/**
 * A unit's throughput from what it moved between its first and last byte
 * (`performance.now()` milliseconds); a unit that moved in one instant has no rate.
 */
export function unitThroughput(
  unit: string,
  rows: number,
  bytes: number,
  first: number,
  last: number,
): UnitThroughput {
  const seconds = last > first ? (last - first) / 1000 : 0;
  return {
    unit,
    rows,
    bytes,
    seconds,
    rowsPerSecond: seconds > 0 ? rows / seconds : 0,
    bytesPerSecond: seconds > 0 ? bytes / seconds : 0,
  };
}
