import { qualify, quoteIdent } from '../ident.js';
import { type CatalogContext, type CatalogObject, rows } from './context.js';
import { commentOf } from './sql.js';
import { ENABLE_VERB, type TableEventRow, tableEventObject } from './table-event-object.js';

interface ClonedStateRow {
  name: string;
  nspname: string;
  relname: string;
  enabled: string;
  root_nspname: string;
  root_relname: string;
}

/**
 * User triggers (and constraint triggers), with their enabled state. Triggers
 * that a partition inherited from its parent are created by the parent's; a
 * clone whose enabled state differs from what the parent's trigger gives it
 * gets that state set on the partition alone.
 */
export async function readTriggers(ctx: CatalogContext): Promise<CatalogObject[]> {
  // tgparentid appeared in 13; before, cloned partition triggers were marked internal.
  const notCloned = ctx.version >= 130000 ? 'AND tg.tgparentid = 0' : '';
  const list = await rows<TableEventRow>(
    ctx,
    `SELECT tg.oid, tg.tgname AS name, n.nspname, c.relname, pg_catalog.pg_get_triggerdef(tg.oid, false) AS def,
       tg.tgenabled AS enabled, ${commentOf('pg_trigger', 'tg.oid')} AS comment
     FROM pg_catalog.pg_trigger tg
     JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE tg.tgrelid = ANY($1::oid[]) AND NOT tg.tgisinternal ${notCloned}
     ORDER BY n.nspname, c.relname, tg.tgname`,
    [ctx.relations],
  );
  const objects = list.map((t) => tableEventObject('trigger', 'pg_trigger', t));
  if (ctx.version >= 130000) objects.push(...(await readClonedTriggerStates(ctx)));
  return objects;
}

/**
 * Partitions' clones of their ancestors' triggers whose enabled state differs
 * from the top trigger's. Restoring the top trigger (CREATE, then ALTER TABLE
 * without ONLY) gives every clone the top trigger's state; each one that
 * differs is then set with ALTER TABLE ONLY, so the order among them does not
 * matter.
 */
async function readClonedTriggerStates(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<ClonedStateRow>(
    ctx,
    `WITH RECURSIVE up(oid, top) AS (
       SELECT tg.oid, tg.tgparentid FROM pg_catalog.pg_trigger tg
       WHERE tg.tgparentid <> 0 AND tg.tgrelid = ANY($1::oid[])
       UNION ALL
       SELECT up.oid, p.tgparentid FROM up JOIN pg_catalog.pg_trigger p ON p.oid = up.top WHERE p.tgparentid <> 0)
     SELECT tg.tgname AS name, n.nspname, c.relname, tg.tgenabled AS enabled,
       rn.nspname AS root_nspname, rc.relname AS root_relname
     FROM up
     JOIN pg_catalog.pg_trigger root ON root.oid = up.top AND root.tgparentid = 0
     JOIN pg_catalog.pg_trigger tg ON tg.oid = up.oid
     JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_class rc ON rc.oid = root.tgrelid
     JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
     WHERE tg.tgenabled <> root.tgenabled AND NOT root.tgisinternal AND root.tgrelid = ANY($1::oid[])
     ORDER BY n.nspname, c.relname, tg.tgname`,
    [ctx.relations],
  );
  return list.map((t) => ({
    id: `trigger:${t.nspname}.${t.relname}.${t.name}`,
    kind: 'trigger',
    section: 'post-data',
    schema: t.nspname,
    name: `${t.relname}.${t.name}`,
    relation: { schema: t.nspname, name: t.relname },
    sql: [
      `ALTER TABLE ONLY ${qualify(t.nspname, t.relname)} ${ENABLE_VERB[t.enabled] ?? 'ENABLE'} TRIGGER ${quoteIdent(t.name)}`,
    ],
    deps: [`trigger:${t.root_nspname}.${t.root_relname}.${t.name}`, `table:${t.nspname}.${t.relname}`],
    keys: [],
    lock: 'exclusive',
  }));
}
