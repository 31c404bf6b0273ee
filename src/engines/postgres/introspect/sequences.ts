import { qualify, quoteIdent } from '../ident.js';
import type { PgSequenceValue } from '../model.js';
import { type AclEntry, aclStatements, commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson, commentOf } from './sql.js';

/** Sequence parameters, as `pg_sequence` holds them (bigints as text). */
export interface SequenceParams {
  seqtype: string;
  seqstart: string;
  seqincrement: string;
  seqmin: string;
  seqmax: string;
  seqcache: string;
  seqcycle: boolean;
}

interface SequenceRow extends SequenceParams {
  oid: string;
  nspname: string;
  relname: string;
  unlogged: boolean;
  owner: string;
  acl: AclEntry[] | null;
  comment: string | null;
  /** For OWNED BY: the owning table and column. */
  owned_schema: string | null;
  owned_table: string | null;
  owned_column: string | null;
  /** True for identity sequences, which the identity column creates. */
  identity: boolean;
}

/** The options clause shared by CREATE SEQUENCE and identity columns (whose type is the column's). */
export function sequenceOptions(p: SequenceParams, withType = true): string {
  return [
    ...(withType ? [`AS ${p.seqtype}`] : []),
    `START WITH ${p.seqstart}`,
    `INCREMENT BY ${p.seqincrement}`,
    `MINVALUE ${p.seqmin}`,
    `MAXVALUE ${p.seqmax}`,
    `CACHE ${p.seqcache}`,
    p.seqcycle ? 'CYCLE' : 'NO CYCLE',
  ].join(' ');
}

export interface SequencesRead {
  objects: CatalogObject[];
  /** Every selected sequence (identity ones too), whose current value the backup records. */
  all: { oid: string; schema: string; name: string; relation?: { schema: string; name: string } }[];
  /** Identity sequence parameters by owning `table oid:attnum`, for the table reader. */
  identity: Map<string, SequenceParams & { schema: string; name: string; unlogged: boolean }>;
}

/**
 * Sequences. Identity sequences are created by their column and only carry a
 * value; serial-style sequences get `ALTER SEQUENCE ... OWNED BY` once their
 * table exists.
 */
export async function readSequences(ctx: CatalogContext): Promise<SequencesRead> {
  const params = ctx.version >= 100000 ? 'pg_catalog.pg_sequence s' : await sequenceParamsBefore10(ctx);
  const list = await rows<SequenceRow & { owned_relid: string | null; owned_attnum: number | null }>(
    ctx,
    `SELECT c.oid, n.nspname, c.relname, c.relpersistence = 'u' AS unlogged,
       pg_catalog.format_type(s.seqtypid, NULL) AS seqtype, s.seqstart::text, s.seqincrement::text,
       s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner, ${aclJson('c.relacl')} AS acl,
       ${commentOf('pg_class', 'c.oid')} AS comment,
       tn.nspname AS owned_schema, t.relname AS owned_table, a.attname AS owned_column,
       d.refobjid AS owned_relid, d.refobjsubid AS owned_attnum,
       d.deptype = 'i' AS identity
     FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN ${params} ON s.seqrelid = c.oid
     LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
     LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
     LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
     LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
     WHERE c.oid = ANY($1::oid[]) AND c.relkind = 'S'
     ORDER BY n.nspname, c.relname`,
    [ctx.relations],
  );

  const objects: CatalogObject[] = [];
  const identity: SequencesRead['identity'] = new Map();
  const all: SequencesRead['all'] = [];
  for (const s of list) {
    const name = qualify(s.nspname, s.relname);
    const owningTable =
      s.owned_schema && s.owned_table ? { schema: s.owned_schema, name: s.owned_table } : undefined;
    all.push({ oid: s.oid, schema: s.nspname, name: s.relname, relation: owningTable });
    if (s.identity) {
      identity.set(`${s.owned_relid}:${s.owned_attnum}`, { ...s, schema: s.nspname, name: s.relname });
      continue;
    }
    const relation = owningTable ?? { schema: s.nspname, name: s.relname };
    objects.push({
      id: `sequence:${s.nspname}.${s.relname}`,
      kind: 'sequence',
      section: 'pre-data',
      schema: s.nspname,
      name: s.relname,
      relation,
      sql: [
        `CREATE ${s.unlogged ? 'UNLOGGED ' : ''}SEQUENCE ${name} ${sequenceOptions(s)}`,
        ...commentStatement(`SEQUENCE ${name}`, s.comment),
      ],
      // A sequence owned by a column goes when its table is dropped (and cannot go before: the default uses it).
      drop: owningTable ? undefined : `DROP SEQUENCE IF EXISTS ${name}`,
      owner: ownerStatement(`SEQUENCE ${name}`, s.owner),
      acl: aclStatements('SEQUENCE', name, s.owner, s.acl),
      deps: [`schema:${s.nspname}`],
      keys: [catalogKey('pg_class', s.oid)],
    });
    if (owningTable && s.owned_column) {
      objects.push({
        id: `sequence-owner:${s.nspname}.${s.relname}`,
        kind: 'sequence-owner',
        section: 'pre-data',
        schema: s.nspname,
        name: s.relname,
        relation,
        sql: [
          `ALTER SEQUENCE ${name} OWNED BY ${qualify(owningTable.schema, owningTable.name)}.${quoteIdent(s.owned_column)}`,
        ],
        deps: [`sequence:${s.nspname}.${s.relname}`, `table:${owningTable.schema}.${owningTable.name}`],
        keys: [],
      });
    }
  }
  return { objects, all, identity };
}

/**
 * Before 10 there is no pg_sequence: each sequence holds its own parameters
 * (and is always bigint). Returns them as a derived table shaped like pg_sequence.
 */
async function sequenceParamsBefore10(ctx: CatalogContext): Promise<string> {
  const seqs = await rows<{ oid: string; name: string }>(
    ctx,
    `SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = ANY($1::oid[]) AND c.relkind = 'S'`,
    [ctx.relations],
  );
  const values: string[] = [];
  for (const s of seqs) {
    const [p] = await rows<Record<string, string | boolean>>(
      ctx,
      `SELECT start_value::text AS a, increment_by::text AS b, min_value::text AS c, max_value::text AS d,
         cache_value::text AS e, is_cycled AS f FROM ${s.name}`,
    );
    if (!p) continue;
    const lit = (v: unknown) => `'${String(v).replaceAll("'", "''")}'`;
    values.push(
      `(${lit(s.oid)}::oid, 'pg_catalog.int8'::pg_catalog.regtype::oid, ${lit(p.a)}::bigint, ${lit(p.b)}::bigint, ${lit(p.c)}::bigint, ${lit(p.d)}::bigint, ${lit(p.e)}::bigint, ${p.f ? 'true' : 'false'})`,
    );
  }
  const shape = '(seqrelid, seqtypid, seqstart, seqincrement, seqmin, seqmax, seqcache, seqcycle)';
  return values.length
    ? `(VALUES ${values.join(', ')}) s${shape}`
    : `(SELECT 0::oid, 0::oid, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, false WHERE false) s${shape}`;
}

/**
 * Reads the current value of every sequence, inside the backup snapshot's
 * transaction (sequence reads are not transactional, so this is as close to
 * the snapshot as pg_dump gets too).
 */
export async function readSequenceValues(
  ctx: CatalogContext,
  sequences: SequencesRead['all'],
): Promise<PgSequenceValue[]> {
  const out: PgSequenceValue[] = [];
  for (let i = 0; i < sequences.length; i += 200) {
    const batch = sequences.slice(i, i + 200);
    const sql = batch
      .map(
        (s, j) => `SELECT ${j} AS i, last_value::text AS v, is_called AS c FROM ${qualify(s.schema, s.name)}`,
      )
      .join(' UNION ALL ');
    const result = await rows<{ i: number; v: string; c: boolean }>(ctx, sql);
    for (const r of result) {
      const s = batch[r.i];
      if (s)
        out.push({ schema: s.schema, name: s.name, relation: s.relation, lastValue: r.v, isCalled: r.c });
    }
  }
  return out;
}
