import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { PgSession } from './connect.js';
import { copyColumns } from './dump-table.js';
import { qualify } from './ident.js';
import type { PgTableData } from './model.js';
import { RowCounter } from './row-counter.js';

/**
 * Loads one table with `COPY ... FROM STDIN`, in the format it was dumped in.
 * The archive stream is piped straight into the connection (checked and
 * counted on the way), so memory stays flat and the server sets the pace.
 *
 * @returns rows loaded
 */
export async function loadTableCopy(
  session: PgSession,
  table: PgTableData,
  source: Readable,
  onProgress: (rows: number, bytes: number) => void,
): Promise<number> {
  const label = qualify(table.schema, table.name);
  const format = table.format === 'binary' ? ' (FORMAT binary)' : '';
  const sink = session.client.query(copyFrom(`COPY ${label}${copyColumns(table)} FROM STDIN${format}`));
  const counter = new RowCounter(table.format, label, onProgress, () => {});
  try {
    await pipeline(source, counter, sink);
  } catch (err) {
    throw session.translate(err, `loading table ${label}`);
  }
  return counter.rows;
}
