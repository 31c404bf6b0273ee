/**
 * SQL fragments shared by the catalog readers. Every reader runs in the backup
 * session, where `search_path` is empty: `pg_get_*def()`, `format_type()` and
 * `reg*` output then qualify every name, which is what makes the generated DDL
 * independent of the restoring session's search path.
 */

/** `NOT EXISTS` clause excluding objects that belong to an extension (CREATE EXTENSION recreates them). */
export function notExtensionMember(catalog: string, oidExpr: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ext_d
    WHERE ext_d.classid = 'pg_catalog.${catalog}'::pg_catalog.regclass AND ext_d.objid = ${oidExpr} AND ext_d.deptype = 'e')`;
}

/** The comment on an object (sub-object 0), or NULL. */
export function commentOf(catalog: string, oidExpr: string): string {
  return `(SELECT cm.description FROM pg_catalog.pg_description cm
    WHERE cm.objoid = ${oidExpr} AND cm.classoid = 'pg_catalog.${catalog}'::pg_catalog.regclass AND cm.objsubid = 0)`;
}

/**
 * An ACL as JSON: NULL when the object has default privileges, else an array
 * of `{g: grantee (quoted, or PUBLIC), p: privilege, o: grant option, r: grantor (unquoted)}` in ACL order
 * (granting in that order rebuilds the same aclitem array).
 * `aclexplode()` does the aclitem parsing so we never parse `=arwd/owner` text.
 */
export function aclJson(aclExpr: string): string {
  return `CASE WHEN ${aclExpr} IS NULL THEN NULL ELSE COALESCE((
    SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'g', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,
      'p', a.privilege_type, 'o', a.is_grantable,
      'r', CASE WHEN a.grantor <> 0 THEN pg_catalog.pg_get_userbyid(a.grantor) END) ORDER BY a.ord)
    FROM pg_catalog.aclexplode(${aclExpr}) WITH ORDINALITY a(grantor, grantee, privilege_type, is_grantable, ord)), '[]'::pg_catalog.json) END`;
}

/** Schema names to skip: the system's own. */
export const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'`;

/** The qualified, quoted name of the collation with OID `oidExpr`. */
export function collationName(oidExpr: string): string {
  return `(SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = ${oidExpr})`;
}

/**
 * True when the type or routine with OID `oidExpr` will exist at restore: it is
 * built in, belongs to an extension, or lives in one of the backed-up schemas
 * (`$1`). Database-wide objects (casts, transforms) are backed up only when
 * everything they are made of is.
 */
export function availableAtRestore(catalog: 'pg_type' | 'pg_proc', oidExpr: string): string {
  const ns = catalog === 'pg_type' ? 'typnamespace' : 'pronamespace';
  return `(${oidExpr} < 16384 OR EXISTS (SELECT 1 FROM pg_catalog.${catalog} ax
    JOIN pg_catalog.pg_namespace an ON an.oid = ax.${ns}
    WHERE ax.oid = ${oidExpr} AND (an.nspname = ANY($1::text[]) OR NOT ${notExtensionMember(catalog, 'ax.oid')})))`;
}

/**
 * Generic options (of a foreign-data wrapper, server, user mapping, foreign
 * table or column) as `name 'value', …` in catalog order, or NULL when there are none.
 */
export function optionsList(optionsExpr: string): string {
  return `(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(o.option_name) || ' ' || pg_catalog.quote_literal(o.option_value), ', ' ORDER BY o.ord)
    FROM pg_catalog.pg_options_to_table(${optionsExpr}) WITH ORDINALITY o(option_name, option_value, ord))`;
}
