import type { PgObject } from './model.js';
import { withChanges } from './packed-object.js';

/**
 * The PostgreSQL schema description as it may be shown: the statements of
 * objects marked `secret` (user mappings with options, subscriptions) hold
 * credentials, as in a pg_dump, and are replaced by a note, as are role
 * password hashes. Anything not
 * shaped like a schema description is returned as it is.
 */
export function printableSchema(schema: unknown): unknown {
  const objects = (schema as { objects?: unknown } | null)?.objects;
  if (!Array.isArray(objects)) return schema;
  // Role password hashes (globals backed up with rolePasswords) are credentials too.
  const globals = (schema as { globals?: { roles?: unknown } } | null)?.globals;
  const roles = Array.isArray(globals?.roles)
    ? {
        globals: {
          ...globals,
          roles: globals.roles.map((r: { password?: unknown }) =>
            r?.password ? { ...r, password: '(not shown)' } : r,
          ),
        },
      }
    : {};
  return {
    ...(schema as object),
    ...roles,
    objects: objects.map((o: { secret?: boolean; sql?: unknown }) =>
      o?.secret ? withChanges(o as PgObject, { sql: ['-- not shown: holds credentials'] }) : o,
    ),
  };
}
