import { quoteIdent } from '../ident.js';
import { type AclEntry, aclStatements, commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson, commentOf, notExtensionMember } from './sql.js';

interface LanguageRow {
  oid: string;
  lanname: string;
  trusted: boolean;
  handler: string;
  inline: string | null;
  validator: string | null;
  owner: string;
  acl: AclEntry[] | null;
  comment: string | null;
}

/**
 * Procedural languages created with CREATE LANGUAGE rather than by an
 * extension (those come back with their extension). The handler, inline and
 * validator functions are ordinary functions of some schema, read with the
 * other routines; pg_depend orders them before the language, and the
 * language before the functions written in it.
 */
export async function readLanguages(ctx: CatalogContext): Promise<CatalogObject[]> {
  if (ctx.selective) return [];
  const list = await rows<LanguageRow>(
    ctx,
    `SELECT l.oid, l.lanname, l.lanpltrusted AS trusted, l.lanplcallfoid::pg_catalog.regproc::text AS handler,
       CASE WHEN l.laninline <> 0 THEN l.laninline::pg_catalog.regproc::text END AS inline,
       CASE WHEN l.lanvalidator <> 0 THEN l.lanvalidator::pg_catalog.regproc::text END AS validator,
       pg_catalog.pg_get_userbyid(l.lanowner) AS owner, ${aclJson('l.lanacl')} AS acl,
       ${commentOf('pg_language', 'l.oid')} AS comment
     FROM pg_catalog.pg_language l
     WHERE l.oid >= 16384 AND l.lanispl AND ${notExtensionMember('pg_language', 'l.oid')}
     ORDER BY l.lanname`,
  );
  return list.map((l) => {
    const name = quoteIdent(l.lanname);
    let create = `CREATE ${l.trusted ? 'TRUSTED ' : ''}PROCEDURAL LANGUAGE ${name} HANDLER ${l.handler}`;
    if (l.inline) create += ` INLINE ${l.inline}`;
    if (l.validator) create += ` VALIDATOR ${l.validator}`;
    return {
      id: `language:${l.lanname}`,
      kind: 'language',
      section: 'pre-data',
      schema: null,
      name: l.lanname,
      sql: [create, ...commentStatement(`LANGUAGE ${name}`, l.comment)],
      drop: `DROP LANGUAGE IF EXISTS ${name}`,
      owner: ownerStatement(`LANGUAGE ${name}`, l.owner),
      acl: aclStatements('LANGUAGE', name, l.owner, l.acl),
      deps: [],
      keys: [catalogKey('pg_language', l.oid)],
    } satisfies CatalogObject;
  });
}
