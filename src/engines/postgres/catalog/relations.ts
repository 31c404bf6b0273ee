import type { NameFilter } from '../patterns.js';
import { type CatalogContext, rows } from './context.js';
import { notExtensionMember } from './sql.js';

/** A relation considered for backup. */
export interface RelationInfo {
  oid: string;
  schema: string;
  name: string;
  relkind: string;
  /** For partitions: the partitioned tables above, nearest first. */
  ancestors: { schema: string; name: string }[];
}

interface RelationRow extends Omit<RelationInfo, 'ancestors'> {
  ancestor_schemas: string[] | null;
  ancestor_names: string[] | null;
  owner_schema: string | null;
  owner_name: string | null;
}

/**
 * Lists the tables, foreign tables, views, materialized views and sequences in the selected
 * schemas and applies the table filter: a partition follows its partitioned
 * ancestors, and a sequence owned by a column follows its table.
 */
export async function selectRelations(ctx: CatalogContext, filter: NameFilter): Promise<RelationInfo[]> {
  const list = await rows<RelationRow>(
    ctx,
    `SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind,
       CASE WHEN c.relispartition THEN ARRAY(
         SELECT an.nspname::text FROM pg_catalog.pg_partition_ancestors(c.oid) WITH ORDINALITY pa(relid, ord)
         JOIN pg_catalog.pg_class ac ON ac.oid = pa.relid JOIN pg_catalog.pg_namespace an ON an.oid = ac.relnamespace
         WHERE pa.relid <> c.oid ORDER BY pa.ord) END AS ancestor_schemas,
       CASE WHEN c.relispartition THEN ARRAY(
         SELECT ac.relname::text FROM pg_catalog.pg_partition_ancestors(c.oid) WITH ORDINALITY pa(relid, ord)
         JOIN pg_catalog.pg_class ac ON ac.oid = pa.relid
         WHERE pa.relid <> c.oid ORDER BY pa.ord) END AS ancestor_names,
       tn.nspname AS owner_schema, t.relname AS owner_name
     FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_depend d ON c.relkind = 'S' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0
       AND d.deptype IN ('a', 'i')
     LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
     LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND ${notExtensionMember('pg_class', 'c.oid')}
     ORDER BY n.nspname, c.relname`,
    [ctx.schemas],
  );
  const selected: RelationInfo[] = [];
  for (const r of list) {
    const ancestors = (r.ancestor_names ?? []).map((name, i) => ({
      schema: r.ancestor_schemas?.[i] ?? '',
      name,
    }));
    const keep =
      r.owner_schema && r.owner_name
        ? filter.relation(r.owner_schema, r.owner_name)
        : filter.relation(r.schema, r.name, ancestors);
    if (!keep) continue;
    selected.push({ oid: r.oid, schema: r.schema, name: r.name, relkind: r.relkind, ancestors });
  }
  return selected;
}
