import { StowageError } from '../../errors.js';
import type { PgSession } from './connect.js';
import type { PgObject, PostgresSchema } from './model.js';
import { mapRole, type RoleMap, statementRole, statementRoles } from './role-map.js';
import { requireExtensions } from './target.js';

/**
 * What the target server must already have before a restore applies anything:
 * the roles that will own objects or receive grants, and the extensions the
 * archive creates. Checked first, so a production archive restored into a dev
 * server stops with the full list instead of half-applied, half-owned objects.
 */
export interface Prerequisites {
  /** Target role names (after --map-role), sorted, each with the archived name it comes from. */
  roles: { role: string; archived: string }[];
  /** Extension names. */
  extensions: string[];
}

export interface OwnershipChoice {
  owner: boolean;
  acl: boolean;
  mapRoles: RoleMap;
}

/** The roles and extensions restoring `objects` (and, with `database`, the database properties) needs. */
export function prerequisitesOf(
  schema: PostgresSchema,
  objects: PgObject[],
  how: OwnershipChoice & { database: boolean; largeObjects: boolean },
): Prerequisites {
  const archived = new Set<string>();
  const add = (role: string | undefined) => {
    if (role !== undefined) archived.add(role);
  };
  for (const o of objects) {
    for (const r of o.roles ?? []) add(unquote(r));
    if (how.owner) for (const s of o.owner ?? []) for (const r of statementRoles(s)) add(r);
    if (how.acl) for (const s of o.acl ?? []) for (const r of statementRoles(s)) add(r);
  }
  const props = schema.database.properties;
  if (how.database && props) {
    if (how.owner) add(props.owner);
    if (how.acl) for (const e of props.acl ?? []) if (e.g !== 'PUBLIC') add(unquote(e.g));
    for (const r of props.roleSettings) add(r.role);
  }
  if (how.largeObjects && schema.largeObjects) {
    if (how.acl) for (const e of schema.largeObjects.extras) for (const s of e.acl) add(statementRole(s));
    if (how.owner) for (const o of schema.largeObjects.owners ?? []) add(o);
  }
  const roles = [...archived]
    .map((a) => ({ role: mapRole(a, how.mapRoles), archived: a }))
    .sort((a, b) => a.role.localeCompare(b.role));
  const extensions = objects.filter((o) => o.kind === 'extension').map((o) => o.name);
  return { roles, extensions };
}

/** Throws, naming everything missing and what to do about it, unless the server has every prerequisite. */
export async function requirePrerequisites(session: PgSession, needs: Prerequisites): Promise<void> {
  await requireExtensions(session, needs.extensions);
  if (needs.roles.length) {
    const { rows } = await session.query<{ name: string }>(
      `SELECT x.name FROM pg_catalog.unnest($1::text[]) AS x(name)
       WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = x.name) ORDER BY 1`,
      [needs.roles.map((r) => r.role)],
      'checking that the archived owners and grantees exist',
    );
    if (rows.length) {
      const missing = new Set(rows.map((r) => r.name));
      const names = needs.roles
        .filter((r) => missing.has(r.role))
        .map((r) => (r.role === r.archived ? r.role : `${r.role} (mapped from ${r.archived})`))
        .join(', ');
      throw new StowageError(
        'pg-missing-roles',
        `roles that own objects or hold grants in the archive are missing on ${session.target.server}: ${names}; nothing was restored`,
        'create them (restore a globals backup with --globals), map each to an existing role with --map-role ARCHIVED=EXISTING, or restore without owners and grants with --no-owner --no-acl',
      );
    }
  }
}

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name;
}
