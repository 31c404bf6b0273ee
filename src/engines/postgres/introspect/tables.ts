import { DataFormatOracle } from '../data-format.js';
import { flat } from '../flat-text.js';
import { qualify, quoteIdent } from '../ident.js';
import type { RelationRef } from '../model.js';
import {
  type AclEntry,
  aclStatements,
  columnAclStatements,
  commentStatement,
  ownerStatement,
} from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, eachRow, kept } from './context.js';
import type { CatalogTableData } from './packed-table-data.js';
import { reloptionsClause } from './reloptions.js';
import { type SequencesRead, sequenceOptions } from './sequences.js';
import { aclJson, collationName, commentOf, optionsList } from './sql.js';
import { tableData } from './table-data.js';

interface TableRow {
  oid: string;
  reltype: string;
  nspname: string;
  relname: string;
  relkind: string;
  unlogged: boolean;
  reloptions: string[] | null;
  toastoptions: string[] | null;
  bound: string | null;
  partkey: string | null;
  partition_parent: string | null;
  parent_schemas: string[];
  parent_names: string[];
  inherits: string[];
  am: string | null;
  oftype: string | null;
  rowsecurity: boolean;
  forcerowsecurity: boolean;
  replident: string;
  /** Foreign tables: the server and the table's options. */
  server: string | null;
  ftoptions: string | null;
  reltuples: number;
  size: string;
  owner: string;
  acl: AclEntry[] | null;
  comment: string | null;
  /** The table's columns in attnum order. */
  columns: ColumnRow[];
  /** A partition's parent's column names, when the parent is selected. */
  parent_columns: string[] | null;
}

interface ColumnRow {
  attnum: number;
  attname: string;
  type: string;
  typid: number;
  notnull: boolean;
  islocal: boolean;
  inhcount: number;
  identity: string;
  generated: string;
  defexpr: string | null;
  defoid: string | null;
  collation: string | null;
  storage: string | null;
  compression: string | null;
  stattarget: number | null;
  options: string[] | null;
  fdwoptions: string | null;
  acl: AclEntry[] | null;
  comment: string | null;
}

interface CheckRow {
  oid: string;
  conrelid: string;
  conname: string;
  def: string;
  validated: boolean;
  islocal: boolean;
  inhcount: number;
  comment: string | null;
}

export interface TablesRead {
  objects: CatalogObject[];
  data: CatalogTableData[];
}

const STORAGE: Record<string, string> = { p: 'PLAIN', e: 'EXTERNAL', m: 'MAIN', x: 'EXTENDED' };

/**
 * Tables: CREATE TABLE with columns, types, collations, NOT NULL, identity and
 * generated columns, valid CHECK constraints, partitioning, inheritance,
 * UNLOGGED, access method and storage parameters; column defaults as separate
 * objects (so a default that calls a function can come after the function,
 * even when the function's signature uses the table's row type); NOT VALID
 * checks and row security in post-data.
 */
export async function readTables(
  ctx: CatalogContext,
  /** Awaited just before the tables' own query: the queries before it need no sequences. */
  sequences: SequencesRead | Promise<SequencesRead>,
): Promise<TablesRead> {
  // Partitions came with 10, table access methods with 12.
  const isPartition = ctx.version >= 100000 ? 'c.relispartition' : 'false';
  const relam = ctx.version >= 120000 ? 'c.relam' : '0';

  // Each table's columns come in its own row (as JSON), and die with it: held apart until the
  // tables were read (80,000 rows with 20,000 tables) they were most of what reading the
  // catalog left behind. Their types are asked first, for the tables' data formats.
  // The types and the checks are asked together: the session writes the second behind the first
  // (pipelined), where awaiting each was one more turn of this chain, the longest of the catalog's,
  // in which the session's other reader could put a long query ahead of the chain's next one.
  const typids: number[] = [];
  const typesRead = eachRow<{ typid: number }>(
    ctx,
    `SELECT DISTINCT a.atttypid::int AS typid FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
     WHERE a.attrelid = ANY($1::oid[]) AND c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped`,
    [ctx.relations],
    (r) => typids.push(r.typid),
  );

  const checksOf = new Map<string, CheckRow[]>();
  const checksRead = eachRow<CheckRow>(
    ctx,
    `SELECT co.oid, co.conrelid, co.conname, pg_catalog.pg_get_constraintdef(co.oid) AS def,
       co.convalidated AS validated, co.conislocal AS islocal, co.coninhcount AS inhcount,
       ${commentOf('pg_constraint', 'co.oid')} AS comment
     FROM pg_catalog.pg_constraint co
     JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
     WHERE co.conrelid = ANY($1::oid[]) AND c.relkind IN ('r', 'p', 'f') AND co.contype = 'c'
     ORDER BY co.conrelid, co.conname`,
    [ctx.relations],
    (k) => add(checksOf, k.conrelid, k),
  );
  // Each failure is reported as before: the types' first, then the checks'.
  checksRead.catch(() => {});
  await typesRead;
  await checksRead;

  const formats = await DataFormatOracle.load(ctx.session, ctx.version, typids);
  const shared: TablesShared = { sequences: await sequences, checksOf, formats, objects: [], data: [] };
  // Each table becomes its objects as its row arrives (one call per table: see addTable).
  await eachRow<TableRow>(
    ctx,
    `SELECT c.oid, c.reltype, n.nspname, c.relname, c.relkind, c.relpersistence = 'u' AS unlogged,
       c.reloptions, tc.reloptions AS toastoptions,
       ${ctx.version >= 100000 ? 'CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END' : 'NULL::text'} AS bound,
       ${ctx.version >= 100000 ? `CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END` : 'NULL::text'} AS partkey,
       CASE WHEN ${isPartition} THEN (SELECT i.inhparent::pg_catalog.regclass::text FROM pg_catalog.pg_inherits i
         WHERE i.inhrelid = c.oid) END AS partition_parent,
       ARRAY(SELECT pn.nspname::text FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
         JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid ORDER BY i.inhseqno) AS parent_schemas,
       ARRAY(SELECT p.relname::text FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
         WHERE i.inhrelid = c.oid ORDER BY i.inhseqno) AS parent_names,
       ARRAY(SELECT i.inhparent::pg_catalog.regclass::text FROM pg_catalog.pg_inherits i
         WHERE i.inhrelid = c.oid ORDER BY i.inhseqno) AS inherits,
       (SELECT am.amname FROM pg_catalog.pg_am am WHERE am.oid = ${relam} AND am.amname <> 'heap') AS am,
       CASE WHEN c.reloftype <> 0 THEN pg_catalog.format_type(c.reloftype, NULL) END AS oftype,
       c.relrowsecurity AS rowsecurity, c.relforcerowsecurity AS forcerowsecurity, c.relreplident AS replident,
       (SELECT s.srvname FROM pg_catalog.pg_foreign_table ft JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
         WHERE ft.ftrelid = c.oid) AS server,
       (SELECT ${optionsList('ft.ftoptions')} FROM pg_catalog.pg_foreign_table ft WHERE ft.ftrelid = c.oid) AS ftoptions,
       c.reltuples::float8 AS reltuples,
       ${estimatedSize(ctx.version)} AS size,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner, ${aclJson('c.relacl')} AS acl,
       ${commentOf('pg_class', 'c.oid')} AS comment,
       ${columnsJson(ctx.version, 'c.oid')} AS columns,
       -- A selected parent's column names, for a partition (attachLater in addTable).
       CASE WHEN ${isPartition} THEN (SELECT ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = i.inhparent AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
         FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = ANY($1::oid[])) END AS parent_columns
     FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid
     WHERE c.oid = ANY($1::oid[]) AND c.relkind IN ('r', 'p', 'f')
     ORDER BY n.nspname, c.relname`,
    [ctx.relations],
    (t) => addTable(ctx, t, shared),
  );
  return { objects: shared.objects, data: shared.data };
}

/** What {@link addTable} takes besides the table: read once for all of them, and the lists it adds to. */
interface TablesShared {
  sequences: SequencesRead;
  checksOf: Map<string, CheckRow[]>;
  formats: DataFormatOracle;
  objects: CatalogObject[];
  data: TablesRead['data'];
}

/**
 * The objects of one table (the table, its defaults, checks added later, row
 * security) and its data entry, added to `shared`'s lists.
 *
 * Its own function, not the body of readTables' loop: a loop that runs
 * thousands of times in a function called once makes V8 compile the whole
 * function (its queries and every helper it inlines) with its optimizing
 * compiler while it runs (on-stack replacement): with thousands of tables the
 * largest compile of a backup (issue 14, docs/BENCHMARKS.md "Session 13"). A
 * function called per table is compiled on its own.
 */
function addTable(ctx: CatalogContext, t: TableRow, shared: TablesShared): void {
  const { sequences, checksOf, formats, objects, data } = shared;
  const name = qualify(t.nspname, t.relname);
  const id = flat`table:${t.nspname}.${t.relname}`;
  const relation: RelationRef = { schema: t.nspname, name: t.relname };
  const cols = t.columns;
  const tableChecks = checksOf.get(t.oid) ?? [];
  const isTyped = t.oftype != null;
  // A partition whose columns are in another order than its parent's (it was created on its
  // own and attached, or the parent lost a column) is created with its own columns and attached,
  // as pg_dump does: PARTITION OF would give it the parent's order.
  const parentColumns = t.partition_parent ? t.parent_columns : null;
  const attachLater =
    t.partition_parent != null &&
    parentColumns != null &&
    parentColumns.join('\u0000') !== cols.map((c) => c.attname).join('\u0000');
  const isPartition = t.partition_parent != null && !attachLater;
  // A foreign table is a table whose rows live elsewhere: same columns and constraints, no data, its own keywords.
  const foreign = t.relkind === 'f';
  const alter = foreign ? 'ALTER FOREIGN TABLE' : 'ALTER TABLE';

  // Column definitions, written inline for columns this table defines itself.
  const inline: string[] = [];
  const after: string[] = [];
  for (const c of cols) {
    const col = quoteIdent(c.attname);
    const local = (c.islocal || attachLater) && !isPartition && !isTyped;
    if (local) {
      let def = `${col} ${c.type}`;
      if (c.collation) def += ` COLLATE ${c.collation}`;
      // A child that declares an inherited generated column gets the parent's expression; before
      // PostgreSQL 16 it may not repeat it ("child column specifies generation expression").
      const inheritsExpression = c.inhcount > 0 && !attachLater && ctx.version < 160000;
      if (c.generated && c.defexpr != null && !inheritsExpression) {
        def += ` GENERATED ALWAYS AS (${c.defexpr}) ${c.generated === 'v' ? 'VIRTUAL' : 'STORED'}`;
      }
      if (c.identity) {
        const seq = sequences.identity.get(`${t.oid}:${c.attnum}`);
        def += ` GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
        if (seq) {
          def += ` (SEQUENCE NAME ${qualify(seq.schema, seq.name)} ${sequenceOptions(seq, false)})`;
          // The identity sequence takes the table's persistence; it can have been changed since.
          if (seq.unlogged !== t.unlogged) {
            after.push(
              `ALTER SEQUENCE ${qualify(seq.schema, seq.name)} SET ${seq.unlogged ? 'UNLOGGED' : 'LOGGED'}`,
            );
          }
        }
      }
      if (c.notnull) def += ' NOT NULL';
      inline.push(def);
    } else if (c.notnull) {
      after.push(`${alter} ONLY ${name} ALTER COLUMN ${col} SET NOT NULL`);
    }
    if (c.storage) after.push(`${alter} ONLY ${name} ALTER COLUMN ${col} SET STORAGE ${STORAGE[c.storage]}`);
    if (c.compression) {
      after.push(
        `${alter} ONLY ${name} ALTER COLUMN ${col} SET COMPRESSION ${c.compression === 'l' ? 'lz4' : 'pglz'}`,
      );
    }
    if (c.stattarget != null)
      after.push(`${alter} ONLY ${name} ALTER COLUMN ${col} SET STATISTICS ${c.stattarget}`);
    if (c.options?.length)
      after.push(`${alter} ONLY ${name} ALTER COLUMN ${col} SET (${c.options.join(', ')})`);
    if (c.fdwoptions) after.push(`${alter} ONLY ${name} ALTER COLUMN ${col} OPTIONS (${c.fdwoptions})`);
  }
  // Valid CHECK constraints defined on this table go inline (checked while data loads, like pg_dump);
  // inherited ones come with the parent, NOT VALID ones are added after the data. An inline one
  // that closes a dependency cycle (it calls a function taking this table's row type) is split
  // out into a constraint of its own, added after the data (cycles.ts).
  // A partition to attach needs its parent's checks before it is attached.
  /**
   * A CHECK constraint as an object of its own, added after the data. Not
   * ONLY: a check on an inheritance parent must reach its children (they
   * hold it as inherited).
   */
  const checkAddedLater = (k: (typeof tableChecks)[number]): CatalogObject => ({
    id: `constraint:${t.nspname}.${t.relname}.${k.conname}`,
    kind: 'constraint',
    section: 'post-data',
    schema: t.nspname,
    name: `${t.relname}.${k.conname}`,
    relation,
    sql: [
      `${alter} ${name} ADD CONSTRAINT ${quoteIdent(k.conname)} ${k.def}`,
      ...commentStatement(`CONSTRAINT ${quoteIdent(k.conname)} ON ${name}`, k.comment),
    ],
    deps: [id],
    keys: [catalogKey('pg_constraint', k.oid)],
    lock: 'exclusive',
  });
  const inlineChecks = tableChecks
    .filter((k) => k.validated && (k.islocal || attachLater))
    .map((k) => ({
      clause: `CONSTRAINT ${quoteIdent(k.conname)} ${k.def}`,
      comment: commentStatement(`CONSTRAINT ${quoteIdent(k.conname)} ON ${name}`, k.comment),
      part: {
        ...checkAddedLater(k),
        drop: `${alter} IF EXISTS ${name} DROP CONSTRAINT IF EXISTS ${quoteIdent(k.conname)}`,
      } satisfies CatalogObject,
    }));

  if (attachLater) after.push(`ALTER TABLE ONLY ${t.partition_parent} ATTACH PARTITION ${name} ${t.bound}`);
  // Foreign tables have no replica identity (the catalog says 'n', which ALTER cannot set on them).
  if (!foreign && t.replident === 'f') after.push(`ALTER TABLE ONLY ${name} REPLICA IDENTITY FULL`);
  if (!foreign && t.replident === 'n') after.push(`ALTER TABLE ONLY ${name} REPLICA IDENTITY NOTHING`);

  const statements = (detached: ReadonlySet<string>): string[] => {
    const checks = inlineChecks.filter((k) => !detached.has(k.part.id));
    const defs = [...inline, ...checks.map((k) => k.clause)];
    // Pieces joined once: the statement is kept flat (see flat-text.ts).
    const create = [`CREATE ${t.unlogged ? 'UNLOGGED ' : ''}${foreign ? 'FOREIGN ' : ''}TABLE `, name];
    if (isPartition) {
      create.push(
        ` PARTITION OF ${t.partition_parent}${defs.length ? ` (${defs.join(', ')})` : ''} ${t.bound}`,
      );
    } else if (isTyped) {
      create.push(` OF ${t.oftype}${defs.length ? ` (${defs.join(', ')})` : ''}`);
    } else {
      create.push(' (\n    ', defs.join(',\n    '), '\n)');
      if (t.inherits.length && !attachLater) create.push(` INHERITS (${t.inherits.join(', ')})`);
    }
    if (t.partkey) create.push(` PARTITION BY ${t.partkey}`);
    if (foreign && t.server) {
      create.push(` SERVER ${quoteIdent(t.server)}`);
      if (t.ftoptions) create.push(` OPTIONS (${t.ftoptions})`);
    }
    if (t.am) create.push(` USING ${quoteIdent(t.am)}`);
    const storageOptions = [...(t.reloptions ?? []), ...(t.toastoptions ?? []).map((o) => `toast.${o}`)];
    if (storageOptions.length) create.push(` WITH (${reloptionsClause(storageOptions)})`);
    return [
      create.join(''),
      ...after,
      ...commentStatement(`${foreign ? 'FOREIGN TABLE' : 'TABLE'} ${name}`, t.comment),
      ...cols.flatMap((c) => commentStatement(`COLUMN ${name}.${quoteIdent(c.attname)}`, c.comment)),
      ...checks.flatMap((k) => k.comment),
    ];
  };

  const parents = t.parent_names.map((p, i) => `table:${t.parent_schemas[i]}.${p}`);
  objects.push(
    kept(ctx, {
      id,
      kind: foreign ? 'foreign-table' : 'table',
      section: 'pre-data',
      schema: t.nspname,
      name: t.relname,
      relation,
      sql: statements(new Set()),
      drop: flat`DROP ${foreign ? 'FOREIGN ' : ''}TABLE IF EXISTS ${name}`,
      owner: ownerStatement(`${foreign ? 'FOREIGN ' : ''}TABLE ${name}`, t.owner),
      acl: [
        ...aclStatements('TABLE', name, t.owner, t.acl),
        ...cols.flatMap((c) => columnAclStatements(name, c.attname, c.acl, t.owner)),
      ],
      deps: [flat`schema:${t.nspname}`, ...parents],
      keys: [
        catalogKey('pg_class', t.oid),
        catalogKey('pg_type', t.reltype),
        ...cols
          .filter((c) => c.generated && c.defoid)
          .map((c) => catalogKey('pg_attrdef', c.defoid as string)),
      ],
      detachable: inlineChecks.length
        ? { parts: inlineChecks.map((k) => k.part), sqlWithout: statements }
        : undefined,
    }),
  );

  for (const c of cols) {
    if (c.generated || c.defexpr == null || !c.defoid) continue;
    objects.push(
      kept(ctx, {
        id: flat`default:${t.nspname}.${t.relname}.${c.attname}`,
        kind: 'default',
        section: 'pre-data',
        schema: t.nspname,
        name: flat`${t.relname}.${c.attname}`,
        relation,
        sql: [flat`${alter} ONLY ${name} ALTER COLUMN ${quoteIdent(c.attname)} SET DEFAULT ${c.defexpr}`],
        // A default may call a function that --clean drops before the table (it takes the row type).
        drop: flat`${alter} IF EXISTS ONLY ${name} ALTER COLUMN ${quoteIdent(c.attname)} DROP DEFAULT`,
        deps: [id],
        keys: [catalogKey('pg_attrdef', c.defoid)],
      }),
    );
  }

  for (const k of tableChecks) {
    if (!k.validated && k.islocal) objects.push(checkAddedLater(k));
  }

  if (t.rowsecurity || t.forcerowsecurity) {
    objects.push({
      id: `row-security:${t.nspname}.${t.relname}`,
      kind: 'row-security',
      section: 'post-data',
      schema: t.nspname,
      name: t.relname,
      relation,
      sql: [
        ...(t.rowsecurity ? [`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`] : []),
        ...(t.forcerowsecurity ? [`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY`] : []),
      ],
      deps: [id],
      keys: [],
      lock: 'exclusive',
    });
  }

  if (t.relkind === 'r') {
    const entry = tableData(t, cols, name, formats);
    data.push(ctx.packTableData ? ctx.packTableData(entry) : entry);
  }
  checksOf.delete(t.oid);
}

/**
 * The columns of the table with OID `relid` as a JSON array of {@link ColumnRow}s in attnum order.
 */
function columnsJson(version: number, relid: string): string {
  const compression = version >= 140000 ? "NULLIF(a.attcompression, '')" : 'NULL::"char"';
  // attstattarget became nullable (NULL = default) in 17; before it was -1.
  const stattarget = version >= 170000 ? 'a.attstattarget' : 'NULLIF(a.attstattarget, -1)';
  // Identity columns came with 10, generated columns with 12; before, no column is either.
  const identity = version >= 100000 ? 'a.attidentity' : `''::"char"`;
  const generated = version >= 120000 ? 'a.attgenerated' : `''::"char"`;
  return `COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
       'attnum', a.attnum, 'attname', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
       'typid', a.atttypid::int, 'notnull', a.attnotnull, 'islocal', a.attislocal, 'inhcount', a.attinhcount,
       'identity', ${identity}, 'generated', ${generated},
       'defexpr', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), 'defoid', ad.oid::text,
       'collation', CASE WHEN a.attcollation <> t.typcollation THEN ${collationName('a.attcollation')} END,
       'storage', CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END,
       'compression', ${compression}, 'stattarget', ${stattarget}, 'options', a.attoptions,
       'fdwoptions', ${optionsList('a.attfdwoptions')},
       'acl', ${aclJson('a.attacl')},
       'comment', (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = a.attrelid
         AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum)) ORDER BY a.attnum)
     FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE a.attrelid = ${relid} AND a.attnum > 0 AND NOT a.attisdropped), '[]'::pg_catalog.json)`;
}

/**
 * The bytes a COPY of the table reads, its heap and its TOAST data, as an
 * estimate for scheduling and progress: from the page counts VACUUM and
 * ANALYZE keep in pg_class, as pg_dump orders its data by. Measuring the
 * files (pg_relation_size) opens each table and its TOAST table in the
 * server: with thousands of tables, most of this query's server time. A
 * table whose statistics were never gathered (reltuples -1 from PostgreSQL
 * 14; no pages before) is measured instead, its page count says nothing.
 * A TOAST table's pages are counted by VACUUM only (ANALYZE skips it), so a
 * table analysed but never vacuumed counts its heap alone.
 */
function estimatedSize(version: number): string {
  const unknown = version >= 140000 ? 'c.reltuples < 0' : 'c.relpages = 0';
  return `(CASE WHEN ${unknown} THEN pg_catalog.pg_relation_size(c.oid)
         + CASE WHEN c.reltoastrelid <> 0 THEN pg_catalog.pg_relation_size(c.reltoastrelid) ELSE 0 END
       ELSE (c.relpages::int8 + COALESCE(tc.relpages, 0)::int8) * pg_catalog.current_setting('block_size')::int8 END)::text`;
}

/** Adds `item` to `key`'s list in `groups`. */
function add<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const list = groups.get(key);
  if (list) list.push(item);
  else groups.set(key, [item]);
}
