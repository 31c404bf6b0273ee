import { quoteIdent } from './ident.js';
import { type AclEntry, aclStatements, commentStatement } from './introspect/acl.js';
import type { PgDatabaseProperties } from './model.js';
import { mapRole, mapStatementRole, type RoleMap } from './role-map.js';
import { setClause } from './setting-statement.js';

/**
 * Statements that give a database created by the restore the archived
 * database's properties, under the target's name: owner, comment, connection
 * limit, `ALTER DATABASE … SET`, `ALTER ROLE … IN DATABASE … SET` and grants
 * (what `pg_dump --create` writes around its CREATE DATABASE).
 */
export function databasePropertyStatements(
  database: string,
  props: PgDatabaseProperties,
  how: { owner: boolean; acl: boolean; mapRoles: RoleMap },
): string[] {
  const db = quoteIdent(database);
  const owner = mapRole(props.owner, how.mapRoles);
  return [
    ...(how.owner ? [`ALTER DATABASE ${db} OWNER TO ${quoteIdent(owner)}`] : []),
    ...commentStatement(`DATABASE ${db}`, props.comment),
    ...(props.connectionLimit !== -1
      ? [`ALTER DATABASE ${db} CONNECTION LIMIT ${props.connectionLimit}`]
      : []),
    ...props.settings.map((s) => `ALTER DATABASE ${db} ${setClause(s)}`),
    ...props.roleSettings.flatMap((r) =>
      r.settings.map(
        (s) => `ALTER ROLE ${quoteIdent(mapRole(r.role, how.mapRoles))} IN DATABASE ${db} ${setClause(s)}`,
      ),
    ),
    ...(how.acl
      ? aclStatements('DATABASE', db, props.owner, props.acl as AclEntry[] | null).map((s) =>
          mapStatementRole(s, how.mapRoles),
        )
      : []),
  ];
}
