import type { CatalogContext, CatalogObject } from './context.js';
import { rows } from './context.js';

interface SystemAclRow {
  classid: string;
  oid: string;
  /** Keyword after ON. */
  what: string;
  /** Qualified, quoted name (with its identity arguments for a function). */
  target: string;
  /** The extension the object belongs to; null for the system's own objects. */
  extension: string | null;
  /** `{g, p, o}` privileges to revoke (in the initial ACL, not in the current one), then to grant. */
  revoke: { g: string; p: string; o: boolean }[];
  grant: { g: string; p: string; o: boolean }[];
}

const ACL_ITEMS = (
  acl: string,
) => `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END AS g,
       a.privilege_type AS p, a.is_grantable AS o FROM pg_catalog.aclexplode(${acl}) a`;

/**
 * Privileges changed on objects the target makes itself: the system's own
 * (functions, tables, views in `pg_catalog`, and that schema itself), which
 * live in each database, e.g. `GRANT EXECUTE ON FUNCTION
 * pg_catalog.pg_stat_reset()`; and the members of extensions (functions,
 * tables, sequences, types, schemas, languages, foreign-data wrappers), which
 * CREATE EXTENSION makes, e.g. `REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC`
 * or `GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO app`. As pg_dump
 * does, the current ACL is compared with the one initdb or the extension
 * script gave (`pg_init_privs`) and only the difference is recorded, as
 * REVOKEs then GRANTs, applied after the extension is created.
 */
export async function readSystemAcls(ctx: CatalogContext): Promise<CatalogObject[]> {
  // No pg_init_privs row: the object started with the built-in default ACL (NULL, i.e. acldefault()).
  const changed = (classid: string, acl: string, oid: string) => `
     LEFT JOIN pg_catalog.pg_init_privs ip ON ip.classoid = '${classid}'::pg_catalog.regclass AND ip.objoid = ${oid} AND ip.objsubid = 0
     WHERE ${acl} IS NOT NULL AND ${acl} IS DISTINCT FROM ip.initprivs`;
  /** The current and the initial ACL, as columns `acl` and `init`; `type`: SQL for acldefault()'s object type letter. */
  const acls = (acl: string, type: string, owner: string) =>
    `COALESCE(${acl}, pg_catalog.acldefault((${type})::pg_catalog."char", ${owner})),
       COALESCE(ip.initprivs, pg_catalog.acldefault((${type})::pg_catalog."char", ${owner}))`;
  // pg_dump takes privileges from pg_catalog only; information_schema is not dumped at all.
  const system = `n.nspname = 'pg_catalog'`;
  /** The extension an object belongs to, as `xe`; `owned` keeps system objects and extension members. */
  const member = (catalog: string, oid: string) => `
     LEFT JOIN pg_catalog.pg_depend xd ON xd.classid = 'pg_catalog.${catalog}'::pg_catalog.regclass AND xd.objid = ${oid} AND xd.deptype = 'e'
     LEFT JOIN pg_catalog.pg_extension xe ON xe.oid = xd.refobjid`;
  const owned = (inSystem: string) => `(${inSystem} OR xe.oid IS NOT NULL)`;
  // The changed objects first, then their differences once: written out in each of the six
  // branches, the differences' 24 subqueries cost the server more to plan (~7 ms a backup, more
  // in a fresh backend) than the whole query costs to run, and most databases have no such object.
  // (Before 12 every WITH query is materialized, and MATERIALIZED is not known.)
  const list = await rows<SystemAclRow>(
    ctx,
    `WITH changed(classid, oid, what, target, extension, acl, init) AS ${ctx.version >= 120000 ? 'MATERIALIZED ' : ''}(
     SELECT 'pg_proc', p.oid, 'FUNCTION', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname)
         || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', xe.extname,
       ${acls('p.proacl', "'f'", 'p.proowner')}
     FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace ${member('pg_proc', 'p.oid')}
     ${changed('pg_catalog.pg_proc', 'p.proacl', 'p.oid')} AND ${owned(system)} AND ${ctx.version >= 110000 ? `p.prokind IN ('f', 'w')` : 'NOT p.proisagg'}
     UNION ALL
     SELECT 'pg_class', c.oid, CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), xe.extname,
       ${acls('c.relacl', "CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END", 'c.relowner')}
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ${member('pg_class', 'c.oid')}
     ${changed('pg_catalog.pg_class', 'c.relacl', 'c.oid')} AND ${owned(system)}
     UNION ALL
     SELECT 'pg_namespace', n.oid, 'SCHEMA', pg_catalog.quote_ident(n.nspname), xe.extname,
       ${acls('n.nspacl', "'n'", 'n.nspowner')}
     FROM pg_catalog.pg_namespace n ${member('pg_namespace', 'n.oid')}
     ${changed('pg_catalog.pg_namespace', 'n.nspacl', 'n.oid')} AND ${owned(system)}
     UNION ALL
     SELECT 'pg_type', t.oid, 'TYPE', pg_catalog.format_type(t.oid, NULL), xe.extname,
       ${acls('t.typacl', "'T'", 't.typowner')}
     FROM pg_catalog.pg_type t ${member('pg_type', 't.oid')}
     ${changed('pg_catalog.pg_type', 't.typacl', 't.oid')} AND xe.oid IS NOT NULL
     UNION ALL
     SELECT 'pg_language', l.oid, 'LANGUAGE', pg_catalog.quote_ident(l.lanname), xe.extname,
       ${acls('l.lanacl', "'l'", 'l.lanowner')}
     FROM pg_catalog.pg_language l ${member('pg_language', 'l.oid')}
     ${changed('pg_catalog.pg_language', 'l.lanacl', 'l.oid')} AND xe.oid IS NOT NULL
     UNION ALL
     SELECT 'pg_foreign_data_wrapper', w.oid, 'FOREIGN DATA WRAPPER', pg_catalog.quote_ident(w.fdwname), xe.extname,
       ${acls('w.fdwacl', "'F'", 'w.fdwowner')}
     FROM pg_catalog.pg_foreign_data_wrapper w ${member('pg_foreign_data_wrapper', 'w.oid')}
     ${changed('pg_catalog.pg_foreign_data_wrapper', 'w.fdwacl', 'w.oid')} AND xe.oid IS NOT NULL)
     SELECT x.classid, x.oid, x.what, x.target, x.extension,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('g', d.g, 'p', d.p, 'o', d.o))
        FROM (${ACL_ITEMS('x.init')} EXCEPT ${ACL_ITEMS('x.acl')}) d) AS revoke,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('g', d.g, 'p', d.p, 'o', d.o))
        FROM (${ACL_ITEMS('x.acl')} EXCEPT ${ACL_ITEMS('x.init')}) d) AS grant
     FROM changed x ORDER BY x.target`,
  );
  return list.map((r) => {
    const statement = (verb: 'GRANT' | 'REVOKE', e: { g: string; p: string; o: boolean }) =>
      verb === 'GRANT'
        ? `GRANT ${e.p} ON ${r.what} ${r.target} TO ${e.g}${e.o ? ' WITH GRANT OPTION' : ''}`
        : `REVOKE ${e.p} ON ${r.what} ${r.target} FROM ${e.g}`;
    return {
      id: `system-acl:${r.classid}:${r.target}`,
      kind: 'system-acl',
      section: 'pre-data',
      schema: null,
      name: r.target,
      sql: [],
      acl: [
        ...(r.revoke ?? []).map((e) => statement('REVOKE', e)),
        ...(r.grant ?? []).map((e) => statement('GRANT', e)),
      ],
      // plpgsql is the one extension every database has and no backup recreates.
      deps: r.extension && r.extension !== 'plpgsql' ? [`extension:${r.extension}`] : [],
      keys: [],
    } satisfies CatalogObject;
  });
}
