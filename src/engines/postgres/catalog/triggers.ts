import { qualify, quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf } from './sql.js';

interface TriggerRow {
  oid: string;
  tgname: string;
  nspname: string;
  relname: string;
  def: string;
  enabled: string;
  comment: string | null;
}

const ENABLE: Record<string, string> = {
  D: 'DISABLE TRIGGER',
  R: 'ENABLE REPLICA TRIGGER',
  A: 'ENABLE ALWAYS TRIGGER',
};

/**
 * User triggers (and constraint triggers), with their enabled state. Triggers
 * that a partition inherited from its parent are created by the parent's.
 */
export async function readTriggers(ctx: CatalogContext): Promise<CatalogObject[]> {
  // tgparentid appeared in 13; before, cloned partition triggers were marked internal.
  const notCloned = ctx.version >= 130000 ? 'AND tg.tgparentid = 0' : '';
  const list = await rows<TriggerRow>(
    ctx,
    `SELECT tg.oid, tg.tgname, n.nspname, c.relname, pg_catalog.pg_get_triggerdef(tg.oid, false) AS def,
       tg.tgenabled AS enabled, ${commentOf('pg_trigger', 'tg.oid')} AS comment
     FROM pg_catalog.pg_trigger tg
     JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE tg.tgrelid = ANY($1::oid[]) AND NOT tg.tgisinternal ${notCloned}
     ORDER BY n.nspname, c.relname, tg.tgname`,
    [ctx.relations],
  );
  return list.map((t) => {
    const table = qualify(t.nspname, t.relname);
    const enable = ENABLE[t.enabled];
    return {
      id: `trigger:${t.nspname}.${t.relname}.${t.tgname}`,
      kind: 'trigger',
      section: 'post-data',
      schema: t.nspname,
      name: `${t.relname}.${t.tgname}`,
      relation: { schema: t.nspname, name: t.relname },
      sql: [
        t.def,
        ...(enable ? [`ALTER TABLE ${table} ${enable} ${quoteIdent(t.tgname)}`] : []),
        ...commentStatement(`TRIGGER ${quoteIdent(t.tgname)} ON ${table}`, t.comment),
      ],
      deps: [],
      keys: [catalogKey('pg_trigger', t.oid)],
      lock: 'exclusive',
    } satisfies CatalogObject;
  });
}
