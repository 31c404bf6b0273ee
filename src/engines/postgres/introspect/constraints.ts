import { flat } from '../flat-text.js';
import { qualify, quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, eachRow, kept } from './context.js';
import { attachObject } from './indexes.js';
import { commentOf } from './sql.js';

interface ConstraintRow {
  oid: string;
  conname: string;
  contype: string;
  nspname: string;
  relname: string;
  relkind: string;
  def: string;
  conparentid: string;
  conindid: string;
  index_name: string | null;
  parent_index: string | null;
  ref_schema: string | null;
  ref_name: string | null;
  clustered: boolean | null;
  replident: boolean | null;
  comment: string | null;
  index_comment: string | null;
}

/**
 * Primary key, unique, exclusion and foreign key constraints, all post-data:
 * indexes are built once the data is in, and foreign keys come after the keys
 * they reference, so self-referencing and circular foreign keys just work.
 *
 * On partitioned tables the parent's key is added to the parent alone and each
 * partition's key is attached to it; foreign keys that partitions inherited
 * are created by their parent's and skipped here.
 */
export async function readConstraints(ctx: CatalogContext): Promise<CatalogObject[]> {
  // Constraints cloned onto partitions (conparentid) came with 11.
  const parent = ctx.version >= 110000 ? 'co.conparentid' : '0::oid';
  const out: CatalogObject[] = [];
  // Each row becomes its objects as it arrives (one call per row: see addConstraint).
  await eachRow<ConstraintRow>(
    ctx,
    `SELECT co.oid, co.conname, co.contype, n.nspname, t.relname, t.relkind,
       pg_catalog.pg_get_constraintdef(co.oid) AS def, ${parent} AS conparentid, co.conindid,
       CASE WHEN co.contype <> 'f' AND co.conindid <> 0 THEN (SELECT ic.relname FROM pg_catalog.pg_class ic WHERE ic.oid = co.conindid) END AS index_name,
       -- The index's parent, not the constraint's: a partition's key can be attached to a plain
       -- partitioned unique index, which has no constraint (and leaves conparentid 0).
       CASE WHEN co.contype <> 'f' AND co.conindid <> 0 THEN (SELECT pi.inhparent::pg_catalog.regclass::text
         FROM pg_catalog.pg_inherits pi WHERE pi.inhrelid = co.conindid) END AS parent_index,
       rn.nspname AS ref_schema, r.relname AS ref_name,
       i.indisclustered AS clustered, i.indisreplident AS replident,
       ${commentOf('pg_constraint', 'co.oid')} AS comment,
       CASE WHEN co.contype <> 'f' AND co.conindid <> 0 THEN ${commentOf('pg_class', 'co.conindid')} END AS index_comment
     FROM pg_catalog.pg_constraint co
     JOIN pg_catalog.pg_class t ON t.oid = co.conrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN pg_catalog.pg_class r ON co.contype = 'f' AND r.oid = co.confrelid
     LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
     LEFT JOIN pg_catalog.pg_index i ON co.contype <> 'f' AND i.indexrelid = co.conindid
     WHERE co.conrelid = ANY($1::oid[]) AND co.contype IN ('p', 'u', 'x', 'f')
     ORDER BY n.nspname, t.relname, co.conname`,
    [ctx.relations],
    (row) => addConstraint(ctx, row, out),
  );
  return out;
}

/**
 * The objects of one constraint row, added to `out`.
 *
 * Its own function, not the body of readConstraints' loop: a loop that runs
 * thousands of times in a function called once makes V8 compile the whole
 * function, query and all, with its optimizing compiler while it runs (on-stack
 * replacement), one of a backup's largest compiles with thousands of tables
 * (issue 14, docs/BENCHMARKS.md "Session 13"). A function called per row is
 * compiled on its own.
 */
function addConstraint(ctx: CatalogContext, c: ConstraintRow, out: CatalogObject[]): void {
  const table = qualify(c.nspname, c.relname);
  const partitioned = c.relkind === 'p';
  const relation = { schema: c.nspname, name: c.relname };
  const comment = commentStatement(`CONSTRAINT ${quoteIdent(c.conname)} ON ${table}`, c.comment);
  const drop = flat`ALTER TABLE IF EXISTS ${partitioned ? '' : 'ONLY '}${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(c.conname)}`;
  if (c.contype === 'f') {
    if (Number(c.conparentid) !== 0) return;
    out.push(
      kept(ctx, {
        id: flat`foreign-key:${c.nspname}.${c.relname}.${c.conname}`,
        kind: 'foreign-key',
        section: 'post-data',
        schema: c.nspname,
        name: flat`${c.relname}.${c.conname}`,
        relation,
        references: c.ref_schema && c.ref_name ? [{ schema: c.ref_schema, name: c.ref_name }] : [],
        // A foreign key on a partitioned table cannot use ONLY: it is created on every partition.
        sql: [
          flat`ALTER TABLE ${partitioned ? '' : 'ONLY '}${table} ADD CONSTRAINT ${quoteIdent(c.conname)} ${c.def}`,
          ...comment,
        ],
        drop,
        deps: [],
        keys: [catalogKey('pg_constraint', c.oid)],
        lock: 'exclusive',
      }),
    );
    return;
  }
  const sql = [flat`ALTER TABLE ONLY ${table} ADD CONSTRAINT ${quoteIdent(c.conname)} ${c.def}`];
  if (c.clustered && c.index_name)
    sql.push(`ALTER TABLE ONLY ${table} CLUSTER ON ${quoteIdent(c.index_name)}`);
  if (c.replident && c.index_name) {
    sql.push(`ALTER TABLE ONLY ${table} REPLICA IDENTITY USING INDEX ${quoteIdent(c.index_name)}`);
  }
  out.push(
    kept(ctx, {
      id: flat`constraint:${c.nspname}.${c.relname}.${c.conname}`,
      kind: 'constraint',
      section: 'post-data',
      schema: c.nspname,
      name: flat`${c.relname}.${c.conname}`,
      relation,
      // The index behind the key is made by ADD CONSTRAINT; a comment on it goes with the key.
      sql: [
        ...sql,
        ...comment,
        ...(c.index_name
          ? commentStatement(`INDEX ${qualify(c.nspname, c.index_name)}`, c.index_comment)
          : []),
      ],
      deps: [],
      keys: [catalogKey('pg_constraint', c.oid), catalogKey('pg_class', c.conindid)],
      lock: 'exclusive',
    }),
  );
  if (c.parent_index && c.index_name) {
    out.push(
      attachObject(
        `constraint:${c.nspname}.${c.relname}.${c.conname}`,
        c.nspname,
        c.index_name,
        c.relname,
        c.parent_index,
      ),
    );
  }
}
