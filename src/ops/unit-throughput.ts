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
