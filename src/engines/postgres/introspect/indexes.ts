import { flat } from '../flat-text.js';
import { qualify, quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, eachRow, kept } from './context.js';
import { commentOf } from './sql.js';

interface IndexRow {
  oid: string;
  nspname: string;
  relname: string;
  tablename: string;
  def: string;
  clustered: boolean;
  replident: boolean;
  valid: boolean;
  partitioned: boolean;
  parent_index: string | null;
  comment: string | null;
}

/**
 * Indexes that are not part of a constraint (constraints.ts builds those):
 * `pg_get_indexdef()` gives partial, expression, covering and unique indexes
 * whole. An index on a partition that belongs to an index on its parent is
 * created on the partition and attached, as pg_dump does, so names survive.
 */
/**
 * Attaching a partition's index (or key) to its parent's is a separate step
 * from building it, so partitions' indexes can build in parallel while the
 * attaches, which lock up the partition tree, take turns. Its dependencies
 * (the built index, the parent index) come from pg_depend, see depend.ts.
 */
export function attachObject(
  builtId: string,
  schema: string,
  indexName: string,
  table: string,
  parentIndex: string,
): CatalogObject {
  return {
    id: `attach:${builtId}`,
    kind: 'attach',
    section: 'post-data',
    schema,
    name: indexName,
    relation: { schema, name: table },
    sql: [`ALTER INDEX ${parentIndex} ATTACH PARTITION ${qualify(schema, indexName)}`],
    deps: [builtId],
    keys: [],
    lock: 'exclusive',
  };
}

export async function readIndexes(ctx: CatalogContext): Promise<CatalogObject[]> {
  const out: CatalogObject[] = [];
  // Each row becomes its objects as it arrives (one call per index: see addIndex).
  await eachRow<IndexRow>(
    ctx,
    `SELECT i.indexrelid AS oid, n.nspname, ic.relname, t.relname AS tablename,
       pg_catalog.pg_get_indexdef(i.indexrelid) AS def, i.indisclustered AS clustered,
       i.indisreplident AS replident, i.indisvalid AS valid, ic.relkind = 'I' AS partitioned,
       (SELECT pi.inhparent::pg_catalog.regclass::text FROM pg_catalog.pg_inherits pi
         WHERE pi.inhrelid = i.indexrelid) AS parent_index,
       ${commentOf('pg_class', 'i.indexrelid')} AS comment
     FROM pg_catalog.pg_index i
     JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
     WHERE i.indrelid = ANY($1::oid[])
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid
                       AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
     ORDER BY n.nspname, t.relname, ic.relname`,
    [ctx.relations],
    (row) => addIndex(ctx, row, out),
  );
  return out;
}

/**
 * The objects of one index row (the index, and its attach step on a
 * partition), added to `out`; an invalid index is left out with a warning.
 *
 * Its own function, not the body of readIndexes' loop: a loop run thousands of
 * times in a function called once is compiled, whole, by V8's optimizing
 * compiler while it runs (on-stack replacement), one of a backup's largest
 * compiles with thousands of tables (issue 14, docs/BENCHMARKS.md "Session 13").
 */
function addIndex(ctx: CatalogContext, ix: IndexRow, out: CatalogObject[]): void {
  const table = qualify(ix.nspname, ix.tablename);
  const name = qualify(ix.nspname, ix.relname);
  if (!ix.valid && !ix.partitioned) {
    ctx.warnings.push(`index ${name} is invalid (a failed CREATE INDEX CONCURRENTLY?) and is not backed up`);
    return;
  }
  const sql = [ix.def];
  if (ix.clustered) sql.push(`ALTER TABLE ONLY ${table} CLUSTER ON ${quoteIdent(ix.relname)}`);
  if (ix.replident)
    sql.push(`ALTER TABLE ONLY ${table} REPLICA IDENTITY USING INDEX ${quoteIdent(ix.relname)}`);
  sql.push(...commentStatement(`INDEX ${name}`, ix.comment));
  out.push(
    kept(ctx, {
      id: flat`index:${ix.nspname}.${ix.relname}`,
      kind: 'index',
      section: 'post-data',
      schema: ix.nspname,
      name: ix.relname,
      relation: { schema: ix.nspname, name: ix.tablename },
      sql,
      deps: [],
      keys: [catalogKey('pg_class', ix.oid)],
      // CREATE INDEX only blocks writes, so several can build on one table at once; ALTERs cannot.
      lock: ix.clustered || ix.replident ? 'exclusive' : 'share',
    }),
  );
  if (ix.parent_index)
    out.push(
      attachObject(
        `index:${ix.nspname}.${ix.relname}`,
        ix.nspname,
        ix.relname,
        ix.tablename,
        ix.parent_index,
      ),
    );
}
