import type { CatalogContext } from './context.js';
import { rows } from './context.js';
import { notExtensionMember } from './sql.js';

/**
 * Object kinds Stowage does not back up. Rather than drop them silently, the
 * backup counts them and reports each kind present as a warning.
 */
export async function reportUnsupported(ctx: CatalogContext): Promise<void> {
  const global = (table: string, where = 'true') =>
    `(SELECT pg_catalog.count(*) FROM pg_catalog.${table} x WHERE ${where} AND ${notExtensionMember(table, 'x.oid')})`;
  const [counts] = await rows<Record<string, string>>(
    ctx,
    `SELECT
       ${global('pg_event_trigger')} AS "event triggers",
       ${global('pg_foreign_server')} AS "foreign servers",
       ${global('pg_publication')} AS "publications",
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_default_acl) AS "default privilege settings",
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_extension WHERE extconfig IS NOT NULL) AS "extension configuration tables"`,
  );
  for (const [kind, count] of Object.entries(counts ?? {})) {
    if (Number(count) > 0) ctx.warnings.push(`${kind} not backed up (not supported by stowage): ${count}`);
  }
}
