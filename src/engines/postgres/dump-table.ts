import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import type { StreamWriterSet } from '../engine.js';
import type { ProgressListener } from '../../progress.js';
import type { PgSession } from './connect.js';
import { qualify, quoteIdent } from './ident.js';
import type { PgTableData } from './model.js';
import { RowCounter } from './row-counter.js';

/** The COPY column list: explicit, so generated and dropped columns never travel and order is fixed. */
export function copyColumns(table: PgTableData): string {
  return table.columns.length ? ` (${table.columns.map((c) => quoteIdent(c.name)).join(', ')})` : '';
}

/**
 * Streams one table into its archive stream: `COPY ... TO STDOUT` piped
 * through a row counter into the stream, with backpressure end to end (the
 * copy stream stops reading the socket while the archive is busy, so the
 * server waits rather than Node buffering the table).
 *
 * @returns rows copied
 */
export async function dumpTable(
  session: PgSession,
  table: PgTableData,
  streams: StreamWriterSet,
  progress: ProgressListener,
): Promise<number> {
  const label = qualify(table.schema, table.name);
  const format = table.format === 'binary' ? ' (FORMAT binary)' : '';
  progress({ type: 'unit-start', name: table.stream });
  const writer = streams.open(table.stream);
  const source = session.client.query(copyTo(`COPY ${label}${copyColumns(table)} TO STDOUT${format}`));
  const counter = new RowCounter(
    table.format,
    label,
    (items, bytes) => progress({ type: 'unit-progress', name: table.stream, items, bytes }),
    (items) => {
      writer.itemCount = items;
    },
  );
  try {
    await pipeline(source, counter, writer);
  } catch (err) {
    throw session.translate(err, `backing up table ${label}`);
  }
  progress({ type: 'unit-done', name: table.stream, items: counter.rows, bytes: counter.bytes });
  return counter.rows;
}
