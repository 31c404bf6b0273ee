import { DataFormatOracle } from '../data-format.js';
import { qualify } from '../ident.js';
import type { PgTableData } from '../model.js';
import { type CatalogContext, rows } from './context.js';
import type { SequencesRead } from './sequences.js';
import { type TableDataColumn, tableData } from './table-data.js';

interface ConfigRow {
  oid: string;
  nspname: string;
  relname: string;
  relkind: string;
  condition: string;
  reltuples: number;
  size: string;
  columns: TableDataColumn[];
}

export interface ExtensionConfigRead {
  /** Configuration tables' data: the rows their filter (extcondition) selects. */
  tables: (PgTableData & { oid: string })[];
  /** Configuration sequences, whose values the backup records. */
  sequences: SequencesRead['all'];
}

/**
 * Extensions' configuration tables and sequences (marked with
 * `pg_extension_config_dump()`): CREATE EXTENSION recreates them with the
 * extension's own rows, so, like pg_dump, the backup carries only the rows
 * their filter selects (the ones the user added) and the sequences' values.
 */
export async function readExtensionConfig(ctx: CatalogContext): Promise<ExtensionConfigRead> {
  // Identity columns came with 10, generated columns with 12.
  const generated = ctx.version >= 120000 ? 'a.attgenerated' : `''::"char"`;
  const identity = ctx.version >= 100000 ? 'a.attidentity' : `''::"char"`;
  const list = await rows<ConfigRow>(
    ctx,
    `SELECT c.oid, n.nspname, c.relname, c.relkind, coalesce(x.condition, '') AS condition,
       c.reltuples::float8 AS reltuples, pg_catalog.pg_table_size(c.oid)::text AS size,
       coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
           'attname', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod), 'typid', a.atttypid::int,
           'generated', ${generated}, 'identity', ${identity}) ORDER BY a.attnum)
         FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
         '[]'::pg_catalog.json) AS columns
     FROM pg_catalog.pg_extension e
     CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition)) AS x(reloid, condition)
     JOIN pg_catalog.pg_class c ON c.oid = x.reloid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE e.extconfig IS NOT NULL AND c.relkind IN ('r', 'S')
     ORDER BY n.nspname, c.relname`,
  );
  const tables = list.filter((r) => r.relkind === 'r');
  const formats = await DataFormatOracle.load(ctx.session, ctx.version, [
    ...new Set(tables.flatMap((t) => t.columns.map((c) => c.typid))),
  ]);
  return {
    tables: tables.map((t) => ({
      ...tableData(t, t.columns, qualify(t.nspname, t.relname), formats),
      // Always set, so restore knows the table as a configuration table (an empty condition takes every row).
      filter: t.condition.trim() || 'WHERE true',
    })),
    sequences: list
      .filter((r) => r.relkind === 'S')
      .map((s) => ({ oid: s.oid, schema: s.nspname, name: s.relname })),
  };
}
