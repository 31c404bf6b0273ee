import type { PgSession } from './connect.js';
import { quoteIdent } from './ident.js';
import { DEFAULT_PRIVILEGE_OBJECTS } from './introspect/default-privileges.js';

/** Which of the target's default privileges a `--clean` restore replaces. */
export interface DefaultPrivilegeScope {
  /** Schemas whose per-schema settings are reset. */
  schemas: string[];
  /** Whether the settings for all schemas are reset too (a restore of the whole database). */
  global: boolean;
}

/**
 * `--clean` and `ALTER DEFAULT PRIVILEGES`: settings are no objects the drops
 * of the archived objects reach, so without this the target keeps whatever it
 * had on top of what the archive restores (a grant the source never had, a
 * revoke of PUBLIC's default EXECUTE). The statements reset every setting of
 * the target in `scope` to the built-in defaults (PostgreSQL then deletes its
 * pg_default_acl row); the archive's own settings are applied afterwards with
 * the other privileges. pg_restore --clean leaves them as they are, but then
 * the database is not the one backed up.
 */
export async function defaultPrivilegeResets(
  session: PgSession,
  scope: DefaultPrivilegeScope,
): Promise<{ statements: string[]; outOfReach: string[] }> {
  if (!scope.global && !scope.schemas.length) return { statements: [], outOfReach: [] };
  const { rows } = await session.query<{
    role: string;
    nspname: string | null;
    objtype: string;
    grantees: string[];
    mine: boolean;
  }>(
    `SELECT pg_catalog.pg_get_userbyid(d.defaclrole) AS role, n.nspname, d.defaclobjtype AS objtype,
       pg_catalog.pg_has_role(d.defaclrole, 'MEMBER') AS mine,
       ARRAY(SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END
             FROM pg_catalog.aclexplode(d.defaclacl) a) AS grantees
     FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
     WHERE (d.defaclnamespace = 0 AND $2::bool) OR n.nspname = ANY($1::text[])
     ORDER BY 1, 2 NULLS FIRST, 3`,
    [scope.schemas, scope.global],
    'reading the default privileges of the target (--clean)',
  );
  // Only a member of a role may change its settings: a restoring user who is not one leaves them, and says so.
  const outOfReach = [...new Set(rows.filter((d) => !d.mine).map((d) => d.role))];
  const statements = rows.flatMap((d) => {
    if (!d.mine) return [];
    // A class this stowage does not know cannot have come from the archive either: left alone.
    const objects = DEFAULT_PRIVILEGE_OBJECTS[d.objtype];
    if (!objects) return [];
    const role = quoteIdent(d.role);
    const prefix = `ALTER DEFAULT PRIVILEGES FOR ROLE ${role}${d.nspname == null ? '' : ` IN SCHEMA ${quoteIdent(d.nspname)}`}`;
    const revokes = d.grantees.map((g) => `${prefix} REVOKE ALL ON ${objects} FROM ${g}`);
    if (d.nspname != null) return revokes; // a per-schema setting only adds to the defaults: empty is none
    // For all schemas, the built-in defaults (acldefault()): the owner has everything, PUBLIC runs functions and uses types.
    const builtIn = [`${prefix} GRANT ALL ON ${objects} TO ${role}`];
    if (d.objtype === 'f') builtIn.push(`${prefix} GRANT EXECUTE ON FUNCTIONS TO PUBLIC`);
    if (d.objtype === 'T') builtIn.push(`${prefix} GRANT USAGE ON TYPES TO PUBLIC`);
    return [...revokes, ...builtIn];
  });
  return { statements, outOfReach };
}
