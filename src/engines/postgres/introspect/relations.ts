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
  // pg_partition_ancestors is 12+; before, walk pg_inherits up while the relation is a partition
  // (partitions came with 10: before, nothing has ancestors).
  const ancestors =
    ctx.version >= 120000
      ? 'pg_catalog.pg_partition_ancestors(c.oid) WITH ORDINALITY pa(relid, ord)'
      : `(WITH RECURSIVE up(relid, ord) AS (
           SELECT i.inhparent, 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid
           UNION ALL
           SELECT i.inhparent, up.ord + 1 FROM up JOIN pg_catalog.pg_class uc ON uc.oid = up.relid AND uc.relispartition
           JOIN pg_catalog.pg_inherits i ON i.inhrelid = up.relid) SELECT * FROM up) pa`;
  const list = await rows<RelationRow>(
    ctx,
    `SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind,
       ${ctx.version < 100000 ? 'NULL::text[] AS ancestor_schemas, NULL::text[] AS ancestor_names,' : ''}
       ${
         ctx.version < 100000
           ? ''
           : `CASE WHEN c.relispartition THEN ARRAY(
         SELECT an.nspname::text FROM ${ancestors}
         JOIN pg_catalog.pg_class ac ON ac.oid = pa.relid JOIN pg_catalog.pg_namespace an ON an.oid = ac.relnamespace
         WHERE pa.relid <> c.oid ORDER BY pa.ord) END AS ancestor_schemas,
       CASE WHEN c.relispartition THEN ARRAY(
         SELECT ac.relname::text FROM ${ancestors}
         JOIN pg_catalog.pg_class ac ON ac.oid = pa.relid
         WHERE pa.relid <> c.oid ORDER BY pa.ord) END AS ancestor_names,`
       }
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
