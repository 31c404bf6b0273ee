import { rows } from './context.js';
import { notExtensionMember } from './sql.js';
/**
 * Object kinds Stowage does not back up. Rather than drop them silently, the
 * backup counts them and reports each kind present as a warning.
 */
export async function reportUnsupported(ctx) {
    const inSchemas = (table, nsColumn) => `(SELECT pg_catalog.count(*) FROM pg_catalog.${table} x JOIN pg_catalog.pg_namespace n ON n.oid = x.${nsColumn}
      WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember(table, 'x.oid')})`;
    const global = (table, where = 'true') => `(SELECT pg_catalog.count(*) FROM pg_catalog.${table} x WHERE ${where} AND ${notExtensionMember(table, 'x.oid')})`;
    const [counts] = await rows(ctx, `SELECT
       ${inSchemas('pg_operator', 'oprnamespace')} AS "operators",
       ${inSchemas('pg_opclass', 'opcnamespace')} AS "operator classes",
       ${inSchemas('pg_opfamily', 'opfnamespace')} AS "operator families",
       ${inSchemas('pg_ts_config', 'cfgnamespace')} AS "text search configurations",
       ${inSchemas('pg_ts_dict', 'dictnamespace')} AS "text search dictionaries",
       ${inSchemas('pg_conversion', 'connamespace')} AS "conversions",
       ${global('pg_cast', `x.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND d.objid = x.oid AND d.deptype = 'i')`)} AS "casts",
       ${global('pg_event_trigger')} AS "event triggers",
       ${global('pg_foreign_server')} AS "foreign servers",
       ${global('pg_publication')} AS "publications",
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_default_acl) AS "default privilege settings",
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_extension WHERE extconfig IS NOT NULL) AS "extension configuration tables"`, [ctx.schemas]);
    for (const [kind, count] of Object.entries(counts ?? {})) {
        if (Number(count) > 0)
            ctx.warnings.push(`${kind} not backed up (not supported by stowage): ${count}`);
    }
}
//# sourceMappingURL=unsupported.js.map