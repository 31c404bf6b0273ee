import type { CatalogContext } from './context.js';
import { rows } from './context.js';
import { notExtensionMember } from './sql.js';

/**
 * Object kinds Stowage does not back up. Rather than drop them silently, the
 * backup counts them and records each kind present as incomplete: the backup
 * then fails unless incomplete backups are allowed, and says what it lacks.
 */
export async function reportUnsupported(ctx: CatalogContext): Promise<void> {
  const global = (table: string, where = 'true') =>
    `(SELECT pg_catalog.count(*) FROM pg_catalog.${table} x WHERE ${where} AND ${notExtensionMember(table, 'x.oid')})`;
  const [counts] = await rows<Record<string, string>>(
    ctx,
    `SELECT
       ${global('pg_am', 'x.oid >= 16384')} AS "access methods"`,
  );
  for (const [kind, count] of Object.entries(counts ?? {})) {
    if (Number(count) > 0) ctx.incomplete.push(`${kind}: ${count}`);
  }
}
