import { qualify, quoteIdent, quoteLiteral } from '../ident.js';
import {
  type AclEntry,
  aclStatements,
  columnAclStatements,
  commentStatement,
  ownerStatement,
} from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { reloptionsClause } from './reloptions.js';
import { aclJson, collationName, commentOf } from './sql.js';

interface ViewRow {
  oid: string;
  reltype: string;
  nspname: string;
  relname: string;
  relkind: string;
  reloptions: string[] | null;
  def: string;
  populated: boolean;
  am: string | null;
  owner: string;
  acl: AclEntry[] | null;
  comment: string | null;
  columns: { c: string; d: string | null; a: AclEntry[] | null }[] | null;
  /** Every column's name, type and (non-default) collation, for the placeholder view. */
  shape: { n: string; t: string; k: string | null }[] | null;
  /** Columns of a materialized view with non-default storage, compression, statistics target or options. */
  settings:
    | {
        c: string;
        storage: string | null;
        compression: string | null;
        stats: number | null;
        options: string[] | null;
      }[]
    | null;
}

const STORAGE: Record<string, string> = { p: 'PLAIN', e: 'EXTERNAL', m: 'MAIN', x: 'EXTENDED' };

/**
 * Views and materialized views. A materialized view is created empty (WITH NO
 * DATA) in pre-data and refreshed at the very end of post-data, when every
 * table it reads is loaded; one that was never populated stays unpopulated.
 */
export async function readViews(ctx: CatalogContext): Promise<CatalogObject[]> {
  // As in tables.ts: attcompression from 14, attstattarget nullable (NULL = default) from 17.
  const compression = ctx.version >= 140000 ? "NULLIF(a.attcompression, '')" : 'NULL::"char"';
  const stattarget = ctx.version >= 170000 ? 'a.attstattarget' : 'NULLIF(a.attstattarget, -1)';
  const list = await rows<ViewRow>(
    ctx,
    `SELECT c.oid, c.reltype, n.nspname, c.relname, c.relkind, c.reloptions,
       pg_catalog.pg_get_viewdef(c.oid) AS def, c.relispopulated AS populated,
       (SELECT am.amname FROM pg_catalog.pg_am am WHERE am.oid = ${ctx.version >= 120000 ? 'c.relam' : '0'} AND am.amname <> 'heap') AS am,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner, ${aclJson('c.relacl')} AS acl,
       ${commentOf('pg_class', 'c.oid')} AS comment,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('c', a.attname, 'd', d.description, 'a', ${aclJson('a.attacl')}) ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a
          LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid
            AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            AND (d.description IS NOT NULL OR a.attacl IS NOT NULL)) AS columns,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('n', a.attname,
            't', pg_catalog.format_type(a.atttypid, a.atttypmod),
            'k', CASE WHEN a.attcollation <> t.typcollation THEN ${collationName('a.attcollation')} END) ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS shape,
       CASE WHEN c.relkind = 'm' THEN (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
            'c', a.attname, 'storage', CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END,
            'compression', ${compression}, 'stats', ${stattarget}, 'options', a.attoptions) ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            AND (a.attstorage <> t.typstorage OR ${compression} IS NOT NULL OR ${stattarget} IS NOT NULL
                 OR a.attoptions IS NOT NULL)) END AS settings
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = ANY($1::oid[]) AND c.relkind IN ('v', 'm')
     ORDER BY n.nspname, c.relname`,
    [ctx.relations],
  );
  const out: CatalogObject[] = [];
  for (const v of list) {
    const name = qualify(v.nspname, v.relname);
    const materialized = v.relkind === 'm';
    const body = v.def.trim().replace(/;$/, '');
    let checkOption = '';
    const options = (v.reloptions ?? []).filter((o) => {
      const m = /^check_option=(local|cascaded)$/.exec(o);
      if (m) checkOption = ` WITH ${(m[1] as string).toUpperCase()} CHECK OPTION`;
      return !m;
    });
    const withClause = options.length ? ` WITH (${reloptionsClause(options)})` : '';
    const create = materialized
      ? `CREATE MATERIALIZED VIEW ${name}${v.am ? ` USING ${quoteIdent(v.am)}` : ''}${withClause} AS\n${body}\n  WITH NO DATA`
      : `CREATE VIEW ${name}${withClause} AS\n${body}${checkOption}`;
    const kindWord = materialized ? 'MATERIALIZED VIEW' : 'VIEW';
    const sql = [
      create,
      ...columnSettings(name, v.settings ?? []),
      ...commentStatement(`${kindWord} ${name}`, v.comment),
      ...(v.columns ?? []).flatMap((c) => commentStatement(`COLUMN ${name}.${quoteIdent(c.c)}`, c.d)),
    ];
    const id = `${materialized ? 'materialized-view' : 'view'}:${v.nspname}.${v.relname}`;
    const relation = { schema: v.nspname, name: v.relname };
    out.push({
      id,
      kind: materialized ? 'materialized-view' : 'view',
      section: 'pre-data',
      schema: v.nspname,
      name: v.relname,
      relation,
      sql,
      drop: `DROP ${kindWord} IF EXISTS ${name}`,
      owner: ownerStatement(`${kindWord} ${name}`, v.owner),
      acl: [
        ...aclStatements('TABLE', name, v.owner, v.acl),
        ...(v.columns ?? []).flatMap((c) => columnAclStatements(name, c.c, c.a, v.owner)),
      ],
      deps: [`schema:${v.nspname}`],
      keys: [catalogKey('pg_class', v.oid), catalogKey('pg_type', v.reltype)],
      shell: materialized ? undefined : viewShell(v, name, sql),
    });
    if (materialized && v.populated) {
      out.push({
        id: `refresh:${v.nspname}.${v.relname}`,
        kind: 'refresh',
        section: 'post-data',
        schema: v.nspname,
        name: v.relname,
        relation,
        sql: [`REFRESH MATERIALIZED VIEW ${name}`],
        deps: [id],
        keys: [],
        lock: 'exclusive',
      });
    }
  }
  return out;
}

/**
 * A placeholder for a view in a dependency cycle (a function over the view's
 * row type that the view calls), as pg_dump makes one: a view of typed NULL
 * columns, replaced by the real definition once the function exists.
 */
function viewShell(v: ViewRow, name: string, sql: string[]): CatalogObject['shell'] {
  const columns = (v.shape ?? []).map(
    (c) => `NULL::${c.t}${c.k ? ` COLLATE ${c.k}` : ''} AS ${quoteIdent(c.n)}`,
  );
  const placeholder = `VIEW ${name} AS SELECT ${columns.join(', ')}`;
  const id = `view-shell:${v.nspname}.${v.relname}`;
  return {
    id,
    object: {
      id,
      kind: 'view',
      section: 'pre-data',
      schema: v.nspname,
      name: v.relname,
      relation: { schema: v.nspname, name: v.relname },
      sql: [`CREATE ${placeholder}`],
      drop: `DROP VIEW IF EXISTS ${name}`,
      deps: [`schema:${v.nspname}`],
      keys: [],
    },
    sqlOverShell: sql.map((s, i) => (i === 0 ? s.replace(/^CREATE VIEW /, 'CREATE OR REPLACE VIEW ') : s)),
    // --clean: back to the placeholder (if the view is there), so what needs its row type can be dropped before it.
    dropOverShell: `DO $stowage$ BEGIN IF pg_catalog.to_regclass(${quoteLiteral(name)}) IS NOT NULL THEN CREATE OR REPLACE ${placeholder}; END IF; END $stowage$`,
  };
}

/** ALTER statements giving a materialized view's columns their storage, compression, statistics and options. */
function columnSettings(name: string, settings: NonNullable<ViewRow['settings']>): string[] {
  return settings.flatMap((s) => {
    const column = `ALTER MATERIALIZED VIEW ${name} ALTER COLUMN ${quoteIdent(s.c)}`;
    return [
      ...(s.stats != null ? [`${column} SET STATISTICS ${s.stats}`] : []),
      ...(s.storage ? [`${column} SET STORAGE ${STORAGE[s.storage]}`] : []),
      ...(s.compression ? [`${column} SET COMPRESSION ${s.compression === 'l' ? 'lz4' : 'pglz'}`] : []),
      ...(s.options?.length ? [`${column} SET (${s.options.join(', ')})`] : []),
    ];
  });
}
