import type { PgSession } from './connect.js';
import { qualify } from './ident.js';
import type { PgObject } from './model.js';

/**
 * Base types the user installed in the target before restoring, as Stowage
 * used to ask for C-language types it did not back up: the archive holds the
 * type's I/O functions but not the type. They and their functions are left as
 * they are: they do not make the target count as non-empty, and restore
 * neither drops (--clean) nor recreates the archived copies of the functions.
 * A base type the archive does hold is not pre-installed: it is created, or
 * dropped with --clean, like any other object.
 */
export interface PreinstalledTypes {
  /** Ids of archived objects to leave alone (the functions of pre-installed types). */
  objectIds: Set<string>;
  /** OIDs of the target's functions that belong to pre-installed types. */
  functionOids: string[];
  /** One warning per pre-installed type. */
  warnings: string[];
}

interface TargetBaseType {
  nspname: string;
  typname: string;
  functions: { oid: string; id: string; signature: string }[];
}

export async function findPreinstalledTypes(
  session: PgSession,
  archived: PgObject[],
): Promise<PreinstalledTypes> {
  const archivedIds = new Set(archived.map((o) => o.id));
  // Function ids as the catalog readers write them: function:schema.name(identity arguments).
  const { rows } = await session.query<TargetBaseType>(
    `SELECT n.nspname, t.typname,
       COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
           'oid', p.oid::text,
           'id', 'function:' || pn.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
           'signature', p.oid::pg_catalog.regprocedure::text) ORDER BY p.oid)
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
         WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typmodout, t.typanalyze)
           AND pn.nspname NOT IN ('pg_catalog', 'information_schema')), '[]'::pg_catalog.json) AS functions
     FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     WHERE t.typtype = 'b' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type el WHERE el.typarray = t.oid)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                       AND d.objid = t.oid AND d.deptype = 'e')`,
    [],
    'looking for base types installed in the target',
  );
  const out: PreinstalledTypes = { objectIds: new Set(), functionOids: [], warnings: [] };
  for (const t of rows) {
    if (archivedIds.has(`type:${t.nspname}.${t.typname}`)) continue;
    for (const f of t.functions) {
      out.functionOids.push(f.oid);
      if (archivedIds.has(f.id)) out.objectIds.add(f.id);
    }
    const functions = t.functions.map((f) => f.signature).join(', ');
    out.warnings.push(
      `base type ${qualify(t.nspname, t.typname)} was installed in the target beforehand: kept as it is${functions ? `, with its functions ${functions}` : ''}`,
    );
  }
  return out;
}
