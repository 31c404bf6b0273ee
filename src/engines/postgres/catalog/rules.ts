import { qualify, quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf } from './sql.js';

interface RuleRow {
  oid: string;
  rulename: string;
  nspname: string;
  relname: string;
  def: string;
  enabled: string;
  comment: string | null;
}

const ENABLE: Record<string, string> = {
  D: 'DISABLE RULE',
  R: 'ENABLE REPLICA RULE',
  A: 'ENABLE ALWAYS RULE',
};

/** Rewrite rules other than the `_RETURN` rules that implement views. */
export async function readRules(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<RuleRow>(
    ctx,
    `SELECT r.oid, r.rulename, n.nspname, c.relname, pg_catalog.pg_get_ruledef(r.oid) AS def,
       r.ev_enabled AS enabled, ${commentOf('pg_rewrite', 'r.oid')} AS comment
     FROM pg_catalog.pg_rewrite r
     JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE r.ev_class = ANY($1::oid[]) AND r.rulename <> '_RETURN'
     ORDER BY n.nspname, c.relname, r.rulename`,
    [ctx.relations],
  );
  return list.map((r) => {
    const table = qualify(r.nspname, r.relname);
    const enable = ENABLE[r.enabled];
    return {
      id: `rule:${r.nspname}.${r.relname}.${r.rulename}`,
      kind: 'rule',
      section: 'post-data',
      schema: r.nspname,
      name: `${r.relname}.${r.rulename}`,
      relation: { schema: r.nspname, name: r.relname },
      sql: [
        r.def.trim().replace(/;$/, ''),
        ...(enable ? [`ALTER TABLE ${table} ${enable} ${quoteIdent(r.rulename)}`] : []),
        ...commentStatement(`RULE ${quoteIdent(r.rulename)} ON ${table}`, r.comment),
      ],
      deps: [],
      keys: [catalogKey('pg_rewrite', r.oid)],
      lock: 'exclusive',
    } satisfies CatalogObject;
  });
}
