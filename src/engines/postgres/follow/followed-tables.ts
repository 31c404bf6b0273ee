import { ChainBroken } from '../../engine.js';
import type { PgSession } from '../connect.js';
import { qualify } from '../ident.js';
import type { PostgresSchema } from '../model.js';
import type { NameFilter } from '../patterns.js';
import type { RelationMessage } from './pgoutput.js';

/**
 * What a chain follows, fixed when its base is taken: every table of the
 * database as of the base's snapshot (by OID, with its columns), whether its
 * changes are followed (its data is in the base), and the sequences whose
 * values are recorded. Logical decoding carries no DDL; a Relation message that
 * differs from this (columns, types, name) or names a table that the selection
 * takes but the base did not have is how DDL shows, and ends the chain.
 *
 * It is kept as the comment of the chain's publication, so a feed resumed
 * after a restart checks against the same base.
 */
export interface FollowedTables {
  v: 1;
  tables: {
    oid: number;
    schema: string;
    name: string;
    followed: boolean;
    /** [name, type OID, typmod] as the Relation message will say them. */
    columns: [string, number, number][];
  }[];
  sequences: { schema: string; name: string }[];
}

/** Reads the tables' shapes in the session's current transaction (joined to the base's snapshot). */
export async function readFollowedTables(
  session: PgSession,
  serverVersion: number,
  base: Pick<PostgresSchema, 'tables' | 'sequences'>,
): Promise<FollowedTables> {
  // Generated columns are never published (PostgreSQL 12+ has them).
  const notGenerated = serverVersion >= 120000 ? "AND a.attgenerated = ''" : '';
  const { rows } = await session.query<{
    oid: string;
    schema: string;
    name: string;
    columns: [string, number, number][];
  }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name,
            COALESCE(json_agg(json_build_array(a.attname, a.atttypid::int8, a.atttypmod) ORDER BY a.attnum)
                     FILTER (WHERE a.attnum IS NOT NULL), '[]') AS columns
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attribute a
         ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ${notGenerated}
      WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
      GROUP BY 1, 2, 3`,
    [],
    'reading the followed tables',
  );
  const withData = new Set(base.tables.map((t) => qualify(t.schema, t.name)));
  return {
    v: 1,
    tables: rows.map((r) => ({
      oid: Number(r.oid),
      schema: r.schema,
      name: r.name,
      followed: withData.has(qualify(r.schema, r.name)),
      columns: r.columns,
    })),
    sequences: base.sequences.map((s) => ({ schema: s.schema, name: s.name })),
  };
}

/** Stores the followed tables on the chain's publication (see {@link FollowedTables}). */
export async function storeFollowedTables(
  session: PgSession,
  publication: string,
  tables: FollowedTables,
): Promise<void> {
  const text = session.client.escapeLiteral(JSON.stringify(tables));
  await session.query(
    `COMMENT ON PUBLICATION ${publication} IS ${text}`,
    [],
    'recording the followed tables',
  );
}

/** The followed tables stored on a publication; undefined when none were stored (no base was taken). */
export async function loadFollowedTables(
  session: PgSession,
  publication: string,
): Promise<FollowedTables | undefined> {
  const { rows } = await session.query<{ comment: string | null }>(
    `SELECT pg_catalog.obj_description(oid, 'pg_publication') AS comment
       FROM pg_catalog.pg_publication WHERE pubname = $1`,
    [publication],
    'reading the followed tables',
  );
  const comment = rows[0]?.comment;
  if (!comment) return undefined;
  const parsed = JSON.parse(comment) as FollowedTables;
  return parsed.v === 1 ? parsed : undefined;
}

/**
 * What to do with changes of a relation the stream describes: follow them,
 * ignore them (a table outside the selection), or end the chain (DDL).
 */
export class RelationCheck {
  private readonly byOid: Map<number, FollowedTables['tables'][number]>;

  constructor(
    tables: FollowedTables,
    private readonly filter: NameFilter,
  ) {
    this.byOid = new Map(tables.tables.map((t) => [t.oid, t]));
  }

  /** 'follow' or 'ignore'; throws ChainBroken when the relation is not the one the base has. */
  check(rel: RelationMessage): 'follow' | 'ignore' {
    const known = this.byOid.get(rel.relationId);
    const name = qualify(rel.schema, rel.name);
    if (!known) {
      if (!this.filter.relation(rel.schema, rel.name)) return 'ignore';
      throw new ChainBroken(`table ${name} was created after the base backup; a new base is needed`);
    }
    if (!known.followed) return 'ignore';
    if (known.schema !== rel.schema || known.name !== rel.name)
      throw new ChainBroken(
        `table ${qualify(known.schema, known.name)} was renamed to ${name} after the base backup; a new base is needed`,
      );
    const now = rel.columns.map((c) => `${c.name} ${c.typeOid}(${c.typmod})`).join(', ');
    const then = known.columns.map(([n, t, m]) => `${n} ${t}(${m})`).join(', ');
    if (now !== then)
      throw new ChainBroken(
        `the columns of table ${name} changed after the base backup (ALTER TABLE); a new base is needed`,
      );
    return 'follow';
  }
}
