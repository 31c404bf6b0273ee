import { quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface AccessMethodRow {
  oid: string;
  amname: string;
  amtype: string;
  handler: string;
  comment: string | null;
}

const AM_TYPE: Record<string, string> = { t: 'TABLE', i: 'INDEX' };

/**
 * User-defined access methods (`CREATE ACCESS METHOD`): tables, materialized
 * views and indexes created `USING` one need it first. They belong to the
 * database, not to a schema, so they are kept whatever the schema selection,
 * like extensions. Those an extension creates come back with the extension.
 */
export async function readAccessMethods(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<AccessMethodRow>(
    ctx,
    `SELECT a.oid, a.amname, a.amtype, a.amhandler::pg_catalog.regproc::text AS handler,
       ${commentOf('pg_am', 'a.oid')} AS comment
     FROM pg_catalog.pg_am a
     WHERE a.oid >= 16384 AND ${notExtensionMember('pg_am', 'a.oid')}
     ORDER BY a.amname`,
  );
  const out: CatalogObject[] = [];
  for (const a of list) {
    const name = quoteIdent(a.amname);
    const type = AM_TYPE[a.amtype];
    if (!type) {
      ctx.incomplete.push(`access method ${name} of unknown type '${a.amtype}'`);
      continue;
    }
    out.push({
      id: `access-method:${a.amname}`,
      kind: 'access-method',
      section: 'pre-data',
      schema: null,
      name: a.amname,
      sql: [
        `CREATE ACCESS METHOD ${name} TYPE ${type} HANDLER ${a.handler}`,
        ...commentStatement(`ACCESS METHOD ${name}`, a.comment),
      ],
      drop: `DROP ACCESS METHOD IF EXISTS ${name}`,
      deps: [],
      keys: [catalogKey('pg_am', a.oid)],
    });
  }
  return out;
}
