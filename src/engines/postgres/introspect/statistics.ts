import { qualify } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf } from './sql.js';

interface StatisticsRow {
  oid: string;
  nspname: string;
  stxname: string;
  table_schema: string;
  table_name: string;
  def: string;
  target: number | null;
  owner: string;
  comment: string | null;
}

/** Extended statistics objects (`CREATE STATISTICS`). */
export async function readStatistics(ctx: CatalogContext): Promise<CatalogObject[]> {
  // Extended statistics came with 10.
  if (ctx.version < 100000) return [];
  // stxstattarget: 13+, -1 meaning default until 17 made it nullable.
  const target =
    ctx.version >= 170000
      ? 's.stxstattarget'
      : ctx.version >= 130000
        ? 'NULLIF(s.stxstattarget, -1)'
        : 'NULL::int';
  const list = await rows<StatisticsRow>(
    ctx,
    `SELECT s.oid, n.nspname, s.stxname, tn.nspname AS table_schema, c.relname AS table_name,
       pg_catalog.pg_get_statisticsobjdef(s.oid) AS def, ${target} AS target,
       pg_catalog.pg_get_userbyid(s.stxowner) AS owner, ${commentOf('pg_statistic_ext', 's.oid')} AS comment
     FROM pg_catalog.pg_statistic_ext s
     JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
     JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid
     JOIN pg_catalog.pg_namespace tn ON tn.oid = c.relnamespace
     WHERE s.stxrelid = ANY($1::oid[])
     ORDER BY n.nspname, s.stxname`,
    [ctx.relations],
  );
  return list.map((s) => {
    const name = qualify(s.nspname, s.stxname);
    return {
      id: `statistics:${s.nspname}.${s.stxname}`,
      kind: 'statistics',
      section: 'post-data',
      schema: s.nspname,
      name: s.stxname,
      relation: { schema: s.table_schema, name: s.table_name },
      sql: [
        s.def,
        ...(s.target != null ? [`ALTER STATISTICS ${name} SET STATISTICS ${s.target}`] : []),
        ...commentStatement(`STATISTICS ${name}`, s.comment),
      ],
      owner: ownerStatement(`STATISTICS ${name}`, s.owner),
      deps: [],
      keys: [catalogKey('pg_statistic_ext', s.oid)],
      lock: 'exclusive',
    } satisfies CatalogObject;
  });
}
