import { quoteIdent } from '../ident.js';
import { type AclEntry, grantStatements } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson } from './sql.js';

interface DefaultAclRow {
  oid: string;
  role: string;
  nspname: string | null;
  objtype: string;
  acl: AclEntry[];
}

/** pg_default_acl.defaclobjtype → the object class ALTER DEFAULT PRIVILEGES names. */
export const DEFAULT_PRIVILEGE_OBJECTS: Record<string, string> = {
  r: 'TABLES',
  S: 'SEQUENCES',
  f: 'FUNCTIONS',
  T: 'TYPES',
  n: 'SCHEMAS',
};

/**
 * `ALTER DEFAULT PRIVILEGES` settings. A setting for all schemas replaces the
 * built-in defaults (owner has everything, PUBLIC has EXECUTE on functions and
 * USAGE on types), so its statements revoke those first and grant what is
 * recorded, which leaves the same ACL whatever the defaults were; a setting
 * for one schema only adds to them, so it is just grants. These are
 * privileges: restored with ownership (`--no-acl` skips them), which runs
 * after every object exists, so they never change the privileges of objects
 * the restore itself creates.
 */
export async function readDefaultPrivileges(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<DefaultAclRow>(
    ctx,
    `SELECT d.oid, pg_catalog.pg_get_userbyid(d.defaclrole) AS role, n.nspname, d.defaclobjtype AS objtype,
       ${aclJson('d.defaclacl')} AS acl
     FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
     WHERE (d.defaclnamespace = 0 AND NOT $2::bool) OR n.nspname = ANY($1::text[])
     ORDER BY 2, 3 NULLS FIRST, 4`,
    [ctx.schemas, !!ctx.selective],
  );
  return list.flatMap((d) => {
    const objects = DEFAULT_PRIVILEGE_OBJECTS[d.objtype];
    if (!objects) {
      ctx.incomplete.push(`default privileges of unknown object type '${d.objtype}'`);
      return [];
    }
    const prefix = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(d.role)}${d.nspname == null ? '' : ` IN SCHEMA ${quoteIdent(d.nspname)}`}`;
    const revokes =
      d.nspname == null
        ? [
            `${prefix} REVOKE ALL ON ${objects} FROM PUBLIC`,
            `${prefix} REVOKE ALL ON ${objects} FROM ${quoteIdent(d.role)}`,
          ]
        : [];
    return [
      {
        id: `default-privileges:${d.role}:${d.nspname ?? ''}:${d.objtype}`,
        kind: 'default-privileges',
        section: 'post-data',
        schema: d.nspname,
        name: `${d.role}${d.nspname == null ? '' : ` in ${d.nspname}`} on ${objects.toLowerCase()}`,
        sql: [],
        acl: [
          ...revokes,
          ...grantStatements(d.acl, (privs, to) => `${prefix} GRANT ${privs} ON ${objects} TO ${to}`),
        ],
        deps: d.nspname == null ? [] : [`schema:${d.nspname}`],
        keys: [catalogKey('pg_default_acl', d.oid)],
      } satisfies CatalogObject,
    ];
  });
}
