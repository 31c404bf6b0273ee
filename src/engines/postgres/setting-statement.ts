import { quoteIdent, quoteLiteral } from './ident.js';

/**
 * Settings whose value is a list of identifiers as the server prints it
 * (`"$user", public`): they go back unquoted as a whole, or the list would
 * become one name. The same list pg_dump keeps (GUC_LIST_QUOTE variables).
 */
const LIST_SETTINGS = new Set([
  'search_path',
  'temp_tablespaces',
  'session_preload_libraries',
  'shared_preload_libraries',
  'local_preload_libraries',
  'unix_socket_directories',
]);

/**
 * `ALTER DATABASE x SET …` / `ALTER ROLE x [IN DATABASE y] SET …` tail for one
 * `name=value` entry of `pg_db_role_setting.setconfig`.
 */
export function setClause(entry: string): string {
  const eq = entry.indexOf('=');
  const name = entry.slice(0, eq);
  const value = entry.slice(eq + 1);
  const quotedName = name.includes('.') ? name.split('.').map(quoteIdent).join('.') : quoteIdent(name);
  // An empty list prints as "" (a zero-length name, not valid SQL): it is the empty string.
  const list = LIST_SETTINGS.has(name.toLowerCase()) && value !== '' && value !== '""';
  return `SET ${quotedName} TO ${list ? value : quoteLiteral(value === '""' ? '' : value)}`;
}
