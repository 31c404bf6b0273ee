import { rows } from './context.js';
import { commentOf } from './sql.js';
import { tableEventObject } from './table-event-object.js';
/**
 * User triggers (and constraint triggers), with their enabled state. Triggers
 * that a partition inherited from its parent are created by the parent's.
 */
export async function readTriggers(ctx) {
    // tgparentid appeared in 13; before, cloned partition triggers were marked internal.
    const notCloned = ctx.version >= 130000 ? 'AND tg.tgparentid = 0' : '';
    const list = await rows(ctx, `SELECT tg.oid, tg.tgname AS name, n.nspname, c.relname, pg_catalog.pg_get_triggerdef(tg.oid, false) AS def,
       tg.tgenabled AS enabled, ${commentOf('pg_trigger', 'tg.oid')} AS comment
     FROM pg_catalog.pg_trigger tg
     JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE tg.tgrelid = ANY($1::oid[]) AND NOT tg.tgisinternal ${notCloned}
     ORDER BY n.nspname, c.relname, tg.tgname`, [ctx.relations]);
    return list.map((t) => tableEventObject('trigger', 'pg_trigger', t));
}
//# sourceMappingURL=triggers.js.map