import { qualify, quoteLiteral } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface ConversionRow {
  oid: string;
  nspname: string;
  conname: string;
  source: string;
  target: string;
  func: string;
  isDefault: boolean;
  owner: string;
  comment: string | null;
}

/** Encoding conversions (`CREATE CONVERSION`). */
export async function readConversions(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<ConversionRow>(
    ctx,
    `SELECT c.oid, n.nspname, c.conname,
       pg_catalog.pg_encoding_to_char(c.conforencoding) AS source,
       pg_catalog.pg_encoding_to_char(c.contoencoding) AS target,
       c.conproc::pg_catalog.regproc::text AS func, c.condefault AS "isDefault",
       pg_catalog.pg_get_userbyid(c.conowner) AS owner, ${commentOf('pg_conversion', 'c.oid')} AS comment
     FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember('pg_conversion', 'c.oid')}
     ORDER BY n.nspname, c.conname`,
    [ctx.schemas],
  );
  return list.map((c) => {
    const name = qualify(c.nspname, c.conname);
    return {
      id: `conversion:${c.nspname}.${c.conname}`,
      kind: 'conversion',
      section: 'pre-data',
      schema: c.nspname,
      name: c.conname,
      sql: [
        `CREATE ${c.isDefault ? 'DEFAULT ' : ''}CONVERSION ${name} FOR ${quoteLiteral(c.source)} TO ${quoteLiteral(c.target)} FROM ${c.func}`,
        ...commentStatement(`CONVERSION ${name}`, c.comment),
      ],
      drop: `DROP CONVERSION IF EXISTS ${name}`,
      owner: ownerStatement(`CONVERSION ${name}`, c.owner),
      deps: [`schema:${c.nspname}`],
      keys: [catalogKey('pg_conversion', c.oid)],
    } satisfies CatalogObject;
  });
}
