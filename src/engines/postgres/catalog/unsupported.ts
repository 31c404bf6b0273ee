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
       ${global('pg_am', 'x.oid >= 16384')} AS "access methods",
       ${global('pg_language', 'x.oid >= 16384')} AS "procedural languages",
       ${CHANGED_EXTENSION_PRIVILEGES} AS "changed privileges on extension objects"`,
  );
  for (const [kind, count] of Object.entries(counts ?? {})) {
    if (Number(count) > 0) ctx.incomplete.push(`${kind}: ${count}`);
  }
}

/**
 * Extension objects whose privileges differ from what CREATE EXTENSION gave
 * them (pg_init_privs; none recorded means none were set): pg_dump carries
 * such GRANTs and REVOKEs, Stowage does not yet.
 */
const CHANGED_EXTENSION_PRIVILEGES = `(SELECT pg_catalog.count(*) FROM pg_catalog.pg_depend d
  CROSS JOIN LATERAL (SELECT CASE d.classid
    WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN (SELECT c.relacl FROM pg_catalog.pg_class c WHERE c.oid = d.objid)
    WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN (SELECT p.proacl FROM pg_catalog.pg_proc p WHERE p.oid = d.objid)
    WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN (SELECT t.typacl FROM pg_catalog.pg_type t WHERE t.oid = d.objid)
    WHEN 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN (SELECT n.nspacl FROM pg_catalog.pg_namespace n WHERE n.oid = d.objid)
    WHEN 'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass THEN (SELECT w.fdwacl FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.oid = d.objid)
    WHEN 'pg_catalog.pg_foreign_server'::pg_catalog.regclass THEN (SELECT s.srvacl FROM pg_catalog.pg_foreign_server s WHERE s.oid = d.objid)
    END AS acl) cur
  LEFT JOIN pg_catalog.pg_init_privs ip ON ip.classoid = d.classid AND ip.objoid = d.objid AND ip.objsubid = 0
  WHERE d.deptype = 'e' AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass,
      'pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_namespace'::pg_catalog.regclass,
      'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass, 'pg_catalog.pg_foreign_server'::pg_catalog.regclass)
    AND cur.acl IS DISTINCT FROM ip.initprivs)`;
