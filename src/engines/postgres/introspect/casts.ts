import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { availableAtRestore, commentOf, notExtensionMember } from './sql.js';

interface CastRow {
  oid: string;
  source: string;
  target: string;
  func: string | null;
  context: string;
  method: string;
  comment: string | null;
}

const CONTEXT: Record<string, string> = { e: '', a: ' AS ASSIGNMENT', i: ' AS IMPLICIT' };

/**
 * User-defined casts. A cast belongs to no schema: it is backed up when its
 * types and function are (built in, from an extension, or in a backed-up
 * schema). Casts made as part of another object (a multirange's) are left to it.
 */
export async function readCasts(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<CastRow>(
    ctx,
    `SELECT c.oid, pg_catalog.format_type(c.castsource, NULL) AS source,
       pg_catalog.format_type(c.casttarget, NULL) AS target,
       CASE WHEN c.castfunc <> 0 THEN c.castfunc::pg_catalog.regprocedure::text END AS func,
       c.castcontext AS context, c.castmethod AS method, ${commentOf('pg_cast', 'c.oid')} AS comment
     FROM pg_catalog.pg_cast c
     WHERE c.oid >= 16384 AND ${notExtensionMember('pg_cast', 'c.oid')}
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass
                       AND d.objid = c.oid AND d.deptype = 'i')
       AND ${availableAtRestore('pg_type', 'c.castsource')} AND ${availableAtRestore('pg_type', 'c.casttarget')}
       AND (c.castfunc = 0 OR ${availableAtRestore('pg_proc', 'c.castfunc')})
     ORDER BY source, target`,
    [ctx.schemas],
  );
  return list.map((c) => {
    const name = `(${c.source} AS ${c.target})`;
    const how =
      c.method === 'b' ? 'WITHOUT FUNCTION' : c.method === 'i' ? 'WITH INOUT' : `WITH FUNCTION ${c.func}`;
    return {
      id: `cast:${name}`,
      kind: 'cast',
      section: 'pre-data',
      schema: null,
      name,
      sql: [
        `CREATE CAST ${name} ${how}${CONTEXT[c.context] ?? ''}`,
        ...commentStatement(`CAST ${name}`, c.comment),
      ],
      drop: `DROP CAST IF EXISTS ${name}`,
      deps: [],
      keys: [catalogKey('pg_cast', c.oid)],
    } satisfies CatalogObject;
  });
}
