import type { PgObject } from './model.js';
import { statementRole } from './role-map.js';

/**
 * A plain `CREATE TABLE` / `CREATE SEQUENCE` (never `IF NOT EXISTS`, which may
 * leave an existing object, and its owner, as they were): the object is new,
 * made by the restoring role, which therefore owns it.
 */
const CREATES_NEW_RELATION = /^CREATE (?:UNLOGGED |FOREIGN )?(?:TABLE|SEQUENCE) (?!IF NOT EXISTS\b)/;

/**
 * Whether `statement`, an `ALTER … OWNER TO` of `o` (roles already mapped),
 * would change nothing: `o` was created by this restore's own statements as
 * `role` (the restoring session's current_user), and the statement gives it to
 * that same role. Skipping it saves a statement per table when the restoring
 * user owned the archived tables (a restore into one's own test database), the
 * common case with thousands of tables.
 */
export function isNoOpOwnerChange(o: PgObject, statement: string, role: string): boolean {
  if (o.kind !== 'table' && o.kind !== 'sequence') return false;
  if (!/^ALTER (?:FOREIGN )?(?:TABLE|SEQUENCE) /.test(statement)) return false;
  if (statementRole(statement) !== role) return false;
  // Last: a packed object's statements are unpacked to be read (packed-object.ts).
  return CREATES_NEW_RELATION.test(o.sql[0] ?? '');
}
