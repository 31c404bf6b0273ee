import type { Readable } from 'node:stream';
import type { PgSession } from './connect.js';
import { CopyInBatch, CopyInBatchError } from './copy-in-batch.js';
import { copyColumns, PROGRESS_INTERVAL_MS } from './dump-table.js';
import { qualify } from './ident.js';
import type { PgTableData } from './model.js';

/**
 * Loads one table with `COPY ... FROM STDIN`, in the format it was dumped in.
 * The archive stream is piped straight into the connection, so memory stays
 * flat and the server sets the pace. The server checks the data as it parses
 * it and reports the row count at the end; Node never looks inside the rows.
 *
 * @param onProgress called now and then with the bytes sent so far
 * @param recycle takes back each chunk of `source` once it is on its way to the server
 * @returns rows loaded, as the server counted them
 */
export async function loadTableCopy(
  session: PgSession,
  table: PgTableData,
  source: Readable,
  onProgress: (bytes: number) => void,
  recycle?: (chunk: Buffer) => void,
): Promise<number> {
  const label = qualify(table.schema, table.name);
  // A batch of one: the source is already open, so it is that COPY's data.
  const copy = new CopyInBatch([{ text: copyInStatement(table), open: () => source }], recycle);
  const sent = () => copy.bytes[0] ?? 0;
  const timer = setInterval(() => onProgress(sent()), PROGRESS_INTERVAL_MS);
  let rows: number;
  try {
    session.client.query(copy);
    rows = (await copy.done)[0] ?? 0;
  } catch (err) {
    // Refused before its data was asked for (a missing table, say), the source was never read: close it.
    source.destroy();
    throw session.translate(err instanceof CopyInBatchError ? err.error : err, `loading table ${label}`);
  } finally {
    clearInterval(timer);
  }
  onProgress(sent());
  return rows;
}

/** The `COPY ... FROM STDIN` that loads `table`'s archived data, in the format it was dumped in. */
export function copyInStatement(table: PgTableData): string {
  const format = table.format === 'binary' ? ' (FORMAT binary)' : '';
  return `COPY ${qualify(table.schema, table.name)}${copyColumns(table)} FROM STDIN${format}`;
}
