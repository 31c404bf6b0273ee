import { StowageError } from '../../errors.js';
import type { ProgressListener } from '../../progress.js';
import type { StreamWriterSet } from '../engine.js';
import type { PgSession } from './connect.js';
import { CopyOut } from './copy-out.js';
import { CopyOutBatch } from './copy-out-batch.js';
import { qualify, quoteIdent } from './ident.js';
import type { PgTableData } from './model.js';
import { partFilter, type TablePart } from './table-parts.js';

/** The copied columns, quoted and comma-separated. */
function columnNames(table: PgTableData): string {
  return table.columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** The COPY column list: explicit, so generated and dropped columns never travel and order is fixed. */
export function copyColumns(table: PgTableData): string {
  return table.columns.length ? ` (${columnNames(table)})` : '';
}

/** How often a running COPY reports progress. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Streams one table, or one block range of it, into its archive stream: `COPY ... TO STDOUT` written into
 * the stream with backpressure end to end (the socket is not read while the
 * archive is busy, so the server waits rather than Node buffering the table).
 * Rows are counted from the protocol messages (see copy-out.ts) and checked
 * against the server's own count.
 *
 * @returns rows copied
 */
export async function dumpTable(
  session: PgSession,
  table: PgTableData,
  part: TablePart,
  streams: StreamWriterSet,
  progress: ProgressListener,
): Promise<number> {
  const copy = startCopy(table, part, streams, progress);
  const timer = setInterval(
    () =>
      progress({
        type: 'unit-progress',
        name: part.stream,
        items: copy.source.rows,
        bytes: copy.source.bytes,
      }),
    PROGRESS_INTERVAL_MS,
  );
  try {
    session.client.query(copy.source);
    await copy.source.done;
    await copy.source.settled;
  } catch (err) {
    throw session.translate(err, `backing up table ${copy.label}`);
  } finally {
    clearInterval(timer);
  }
  return finishCopy(copy, progress);
}

/**
 * Streams several small tables with one query (see copy-out-batch.ts): the
 * same COPYs, archive streams and row checks as {@link dumpTable}, one round
 * trip for all. Meant for tables that take a moment each, so there is no
 * progress between a table's start and its end.
 *
 * @returns rows copied, in the order of `items`
 */
export async function dumpTables(
  session: PgSession,
  items: { table: PgTableData; part: TablePart }[],
  streams: StreamWriterSet,
  progress: ProgressListener,
): Promise<number[]> {
  // Said one table at a time, as the server gets to each: a hundred tables "in progress" at once would be noise.
  const copies = items.map(({ table, part }) => startCopy(table, part, streams, () => {}));
  session.client.query(new CopyOutBatch(copies.map((c) => c.source)));
  const rows: number[] = [];
  for (const copy of copies) {
    progress({ type: 'unit-start', name: copy.part.stream });
    try {
      await copy.source.done;
      await copy.source.settled;
    } catch (err) {
      // The first failure names its table; the ones after it fail with the same error.
      throw session.translate(err, `backing up table ${copy.label}`);
    }
    rows.push(finishCopy(copy, progress));
  }
  return rows;
}

interface StartedCopy {
  source: CopyOut;
  label: string;
  part: TablePart;
}

function startCopy(
  table: PgTableData,
  part: TablePart,
  streams: StreamWriterSet,
  progress: ProgressListener,
): StartedCopy {
  const label = qualify(table.schema, table.name);
  const binary = table.format === 'binary';
  // A part selects its blocks; ONLY because COPY of a table never includes inheritance children either.
  // An extension's configuration table copies only the rows its filter selects (never split: it is small).
  // A bench reads a share of a big table (see StreamWriterSet.sampleFraction): of a part with both ends,
  // its first blocks (a TID range scan reads only those); of a whole table or a last part, whole blocks
  // picked at random by TABLESAMPLE SYSTEM, which reads only those, the same ones every run (REPEATABLE).
  const fraction = table.filter ? 1 : (streams.sampleFraction?.(part.stream, part.estimatedBytes) ?? 1);
  const range =
    fraction < 1 && part.fromBlock !== undefined && part.toBlock !== undefined
      ? partFilter({
          ...part,
          toBlock: part.fromBlock + Math.max(1, Math.ceil((part.toBlock - part.fromBlock) * fraction)),
        })
      : part.fromBlock === undefined
        ? undefined
        : partFilter(part);
  const sample =
    fraction < 1 && (part.fromBlock === undefined || part.toBlock === undefined)
      ? ` TABLESAMPLE SYSTEM (${Math.max(fraction * 100, 1e-6).toPrecision(6)}) REPEATABLE (0)`
      : '';
  const copied = table.filter
    ? `(SELECT ${columnNames(table)} FROM ONLY ${label} ${table.filter})`
    : range === undefined && !sample
      ? `${label}${copyColumns(table)}`
      : `(SELECT ${columnNames(table)} FROM ONLY ${label}${sample}${range ? ` WHERE ${range}` : ''})`;
  progress({ type: 'unit-start', name: part.stream });
  const writer = streams.open(part.stream);
  const source = new CopyOut(
    `COPY ${copied} TO STDOUT${binary ? ' (FORMAT binary)' : ''}`,
    binary,
    writer,
    (rows) => {
      // Set before the archive sees the end of the stream, which is when it records the count.
      writer.itemCount = rows;
    },
  );
  return { source, label, part };
}

function finishCopy({ source, label, part }: StartedCopy, progress: ProgressListener): number {
  if (source.commandRows !== undefined && source.commandRows !== source.rows) {
    throw new StowageError(
      'pg-row-count',
      `table ${label}: counted ${source.rows} rows but the server reported ${source.commandRows}`,
      'report this as a bug; the backup is not trustworthy',
    );
  }
  progress({ type: 'unit-done', name: part.stream, items: source.rows, bytes: source.bytes });
  return source.rows;
}
