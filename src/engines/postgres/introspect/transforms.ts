import { quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { availableAtRestore, commentOf, notExtensionMember } from './sql.js';

interface TransformRow {
  oid: string;
  type: string;
  language: string;
  fromSql: string | null;
  toSql: string | null;
  comment: string | null;
}

/**
 * Transforms (`CREATE TRANSFORM`), which belong to no schema: backed up when
 * their type and functions are (built in, from an extension, or in a
 * backed-up schema).
 */
export async function readTransforms(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<TransformRow>(
    ctx,
    `SELECT t.oid, pg_catalog.format_type(t.trftype, NULL) AS type, l.lanname AS language,
       CASE WHEN t.trffromsql <> 0 THEN t.trffromsql::pg_catalog.regprocedure::text END AS "fromSql",
       CASE WHEN t.trftosql <> 0 THEN t.trftosql::pg_catalog.regprocedure::text END AS "toSql",
       ${commentOf('pg_transform', 't.oid')} AS comment
     FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang
     WHERE ${notExtensionMember('pg_transform', 't.oid')} AND ${availableAtRestore('pg_type', 't.trftype')}
       AND (t.trffromsql = 0 OR ${availableAtRestore('pg_proc', 't.trffromsql')})
       AND (t.trftosql = 0 OR ${availableAtRestore('pg_proc', 't.trftosql')})
     ORDER BY type, language`,
    [ctx.schemas],
  );
  return list.map((t) => {
    const name = `FOR ${t.type} LANGUAGE ${quoteIdent(t.language)}`;
    const parts: string[] = [];
    if (t.fromSql) parts.push(`FROM SQL WITH FUNCTION ${t.fromSql}`);
    if (t.toSql) parts.push(`TO SQL WITH FUNCTION ${t.toSql}`);
    return {
      id: `transform:${t.type} ${t.language}`,
      kind: 'transform',
      section: 'pre-data',
      schema: null,
      name: `${t.type} ${t.language}`,
      sql: [
        `CREATE TRANSFORM ${name} (${parts.join(', ')})`,
        ...commentStatement(`TRANSFORM ${name}`, t.comment),
      ],
      drop: `DROP TRANSFORM IF EXISTS ${name}`,
      deps: [],
      keys: [catalogKey('pg_transform', t.oid)],
    } satisfies CatalogObject;
  });
}
