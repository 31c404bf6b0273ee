import type { DataFormatOracle } from '../data-format.js';
import type { PgTableData } from '../model.js';

/** What {@link tableData} reads of a table's catalog row. */
export interface TableDataRow {
  oid: string;
  nspname: string;
  relname: string;
  reltuples: number;
  /** pg_table_size, as text (a bigint). */
  size: string;
}

/** What {@link tableData} reads of each column, in attnum order. */
export interface TableDataColumn {
  attname: string;
  type: string;
  typid: number;
  /** attgenerated: '' for a column that is not generated. */
  generated: string;
  /** attidentity: 'a' for GENERATED ALWAYS. */
  identity: string;
}

/**
 * A table's data stream as the backup plans and the restore reads it: the
 * columns COPY carries (generated ones are left out: the server computes them
 * again), binary COPY unless a column's type needs text, and the size
 * estimates that order the work. One place for ordinary tables and
 * extensions' configuration tables, so they cannot drift apart.
 */
export function tableData(
  t: TableDataRow,
  columns: readonly TableDataColumn[],
  stream: string,
  formats: DataFormatOracle,
): PgTableData & { oid: string } {
  const copied = columns.filter((c) => !c.generated);
  return {
    oid: t.oid,
    streams: [stream],
    schema: t.nspname,
    name: t.relname,
    columns: copied.map((c) => ({ name: c.attname, type: c.type })),
    format: copied.some((c) => formats.needsText(c.typid)) ? 'text' : 'binary',
    estimatedRows: t.reltuples < 0 ? -1 : t.reltuples,
    estimatedBytes: Number(t.size),
    identityAlways: columns.some((c) => c.identity === 'a'),
  };
}
