import type { PgSession } from './connect.js';

/**
 * Which COPY format a table's data travels in.
 *
 * Binary COPY is the fast path: no text formatting on the server, no parsing
 * on restore, and the bytes are each type's portable `send` format. Three
 * kinds of column break it, and their tables use text COPY instead (what
 * pg_dump always uses):
 *
 * - types with no binary send/receive functions (some extension types);
 * - arrays and composite values whose element or attribute type is
 *   user-defined (an enum, a domain, an extension type): their binary form
 *   embeds the element type's OID, and OIDs differ between databases, so the
 *   target rejects them ("wrong element type");
 * - `reg*` types (regclass, regtype, ...), whose binary form is a raw OID
 *   that means nothing in another database, while the text form is a name.
 *
 * Built-in type OIDs below 16384 are fixed across servers and versions, which
 * is why built-in arrays and composites are safe.
 */

/** First OID handed out to user-defined objects (FirstNormalObjectId). */
const FIRST_USER_OID = 16384;

/** regproc, regprocedure, regoper, regoperator, regclass, regtype, regconfig, regdictionary, regnamespace, regrole, regcollation. */
const REG_TYPES = new Set([24, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096, 4191]);

interface TypeNode {
  oid: number;
  binary: boolean;
  /** Element or attribute types whose OID appears in this type's binary form. */
  embedded: number[];
  /** Types whose binary form this type reuses or contains by length-prefixed value (domain base, range subtype). */
  wrapped: number[];
}

/** Decides binary or text per column type; `unsafe(oid)` answers for one type. */
export class DataFormatOracle {
  private constructor(private readonly nodes: Map<number, TypeNode>) {}

  /** Reads the type graph reachable from the given column types. */
  static async load(session: PgSession, version: number, typeOids: number[]): Promise<DataFormatOracle> {
    const nodes = new Map<number, TypeNode>();
    if (typeOids.length) {
      // Multiranges (PostgreSQL 14+) wrap their range type.
      const multirange =
        version >= 140000
          ? 'UNION ALL SELECT rg.rngtypid FROM pg_catalog.pg_range rg WHERE rg.rngmultitypid = t.oid'
          : '';
      const result = await session.query<{
        oid: number;
        binary: boolean;
        embedded: number[];
        wrapped: number[];
      }>(
        `WITH RECURSIVE reach(oid) AS (
           SELECT pg_catalog.unnest($1::oid[])
           UNION
           SELECT x.child FROM reach r JOIN pg_catalog.pg_type t ON t.oid = r.oid
           CROSS JOIN LATERAL (
             SELECT t.typbasetype WHERE t.typtype = 'd'
             UNION ALL SELECT t.typelem WHERE t.typelem <> 0 AND t.typlen = -1
             UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a
               WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg WHERE rg.rngtypid = t.oid
             ${multirange}
           ) x(child)
         )
         SELECT t.oid::int AS oid, (t.typsend <> 0 AND t.typreceive <> 0) AS binary,
           ARRAY(
             SELECT t.typelem::int WHERE t.typelem <> 0 AND t.typlen = -1
             UNION ALL SELECT a.atttypid::int FROM pg_catalog.pg_attribute a
               WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
           ) AS embedded,
           ARRAY(
             SELECT t.typbasetype::int WHERE t.typtype = 'd'
             UNION ALL SELECT rg.rngsubtype::int FROM pg_catalog.pg_range rg WHERE rg.rngtypid = t.oid
             ${multirange.replace('SELECT rg.rngtypid', 'SELECT rg.rngtypid::int')}
           ) AS wrapped
         FROM pg_catalog.pg_type t WHERE t.oid IN (SELECT oid FROM reach)`,
        [typeOids],
        'reading column types',
      );
      for (const r of result.rows) nodes.set(r.oid, r);
    }
    return new DataFormatOracle(nodes);
  }

  /** True when a column of this type must use text COPY. */
  needsText(oid: number, seen?: Set<number>): boolean {
    if (seen?.has(oid)) return false;
    if (REG_TYPES.has(oid)) return true;
    const node = this.nodes.get(oid);
    if (!node) return false;
    if (!node.binary) return true;
    // Most column types contain no other type: no set for them (a backup asks once per column).
    if (!node.embedded.length && !node.wrapped.length) return false;
    seen ??= new Set<number>();
    seen.add(oid);
    for (const child of node.embedded) {
      if (child >= FIRST_USER_OID || this.needsText(child, seen)) return true;
    }
    return node.wrapped.some((child) => this.needsText(child, seen));
  }
}
