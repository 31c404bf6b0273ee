import { qualify, quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogObject, catalogKey } from './context.js';

/**
 * Rules and triggers: objects that hang off one table, are named within it,
 * and share the same enabled states (`ev_enabled` and `tgenabled` use the same
 * letters). One builder keeps their DDL, comments and enable statements alike.
 */
export interface TableEventRow {
  oid: string;
  name: string;
  nspname: string;
  relname: string;
  /** Complete CREATE statement from pg_get_ruledef / pg_get_triggerdef. */
  def: string;
  enabled: string;
  comment: string | null;
}

/** ALTER TABLE verbs for the enabled states other than the default O (origin and local). */
export const ENABLE_VERB: Record<string, string> = { D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' };

export function tableEventObject(
  kind: 'rule' | 'trigger',
  catalog: 'pg_rewrite' | 'pg_trigger',
  r: TableEventRow,
): CatalogObject {
  const table = qualify(r.nspname, r.relname);
  const keyword = kind.toUpperCase();
  const verb = ENABLE_VERB[r.enabled];
  return {
    id: `${kind}:${r.nspname}.${r.relname}.${r.name}`,
    kind,
    section: 'post-data',
    schema: r.nspname,
    name: `${r.relname}.${r.name}`,
    relation: { schema: r.nspname, name: r.relname },
    sql: [
      r.def.trim().replace(/;$/, ''),
      ...(verb ? [`ALTER TABLE ${table} ${verb} ${keyword} ${quoteIdent(r.name)}`] : []),
      ...commentStatement(`${keyword} ${quoteIdent(r.name)} ON ${table}`, r.comment),
    ],
    deps: [],
    keys: [catalogKey(catalog, r.oid)],
    lock: 'exclusive',
  };
}
