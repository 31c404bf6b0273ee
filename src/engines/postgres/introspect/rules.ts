import { type CatalogContext, type CatalogObject, rows } from './context.js';
import { commentOf } from './sql.js';
import { type TableEventRow, tableEventObject } from './table-event-object.js';

/** Rewrite rules other than the `_RETURN` rules that implement views. */
export async function readRules(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<TableEventRow>(
    ctx,
    `SELECT r.oid, r.rulename AS name, n.nspname, c.relname, pg_catalog.pg_get_ruledef(r.oid) AS def,
       r.ev_enabled AS enabled, ${commentOf('pg_rewrite', 'r.oid')} AS comment
     FROM pg_catalog.pg_rewrite r
     JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE r.ev_class = ANY($1::oid[]) AND r.rulename <> '_RETURN'
     ORDER BY n.nspname, c.relname, r.rulename`,
    [ctx.relations],
  );
  return list.map((r) => tableEventObject('rule', 'pg_rewrite', r));
}
