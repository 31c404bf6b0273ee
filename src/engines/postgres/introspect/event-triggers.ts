import { quoteIdent, quoteLiteral } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface EventTriggerRow {
  oid: string;
  evtname: string;
  evtevent: string;
  owner: string;
  func: string;
  enabled: string;
  tags: string[] | null;
  comment: string | null;
}

const ENABLE_VERB: Record<string, string> = { D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' };

/**
 * Event triggers. Restore creates them after everything else, ownership and
 * privileges included (like pg_restore), so they never fire on the restore's own DDL.
 */
export async function readEventTriggers(ctx: CatalogContext): Promise<CatalogObject[]> {
  if (ctx.selective) return [];
  const list = await rows<EventTriggerRow>(
    ctx,
    `SELECT e.oid, e.evtname, e.evtevent, pg_catalog.pg_get_userbyid(e.evtowner) AS owner,
       e.evtfoid::pg_catalog.regproc::text AS func, e.evtenabled AS enabled, e.evttags AS tags,
       ${commentOf('pg_event_trigger', 'e.oid')} AS comment
     FROM pg_catalog.pg_event_trigger e
     WHERE ${notExtensionMember('pg_event_trigger', 'e.oid')} ORDER BY e.evtname`,
  );
  return list.map((e) => {
    const name = quoteIdent(e.evtname);
    let create = `CREATE EVENT TRIGGER ${name} ON ${quoteIdent(e.evtevent)}`;
    if (e.tags?.length) create += ` WHEN TAG IN (${e.tags.map(quoteLiteral).join(', ')})`;
    create += ` EXECUTE FUNCTION ${e.func}()`;
    const verb = ENABLE_VERB[e.enabled];
    return {
      id: `event-trigger:${e.evtname}`,
      kind: 'event-trigger',
      section: 'post-data',
      schema: null,
      name: e.evtname,
      sql: [
        create,
        ...(verb ? [`ALTER EVENT TRIGGER ${name} ${verb}`] : []),
        ...commentStatement(`EVENT TRIGGER ${name}`, e.comment),
      ],
      drop: `DROP EVENT TRIGGER IF EXISTS ${name}`,
      owner: ownerStatement(`EVENT TRIGGER ${name}`, e.owner),
      deps: [],
      keys: [catalogKey('pg_event_trigger', e.oid)],
    } satisfies CatalogObject;
  });
}
