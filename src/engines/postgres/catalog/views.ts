import { qualify, quoteIdent } from '../ident.js';
import {
  type AclEntry,
  aclStatements,
  columnAclStatements,
  commentStatement,
  ownerStatement,
} from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { reloptionsClause } from './reloptions.js';
import { aclJson, commentOf } from './sql.js';

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
       (SELECT am.amname FROM pg_catalog.pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap') AS am,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner, ${aclJson('c.relacl')} AS acl,
       ${commentOf('pg_class', 'c.oid')} AS comment,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('c', a.attname, 'd', d.description, 'a', ${aclJson('a.attacl')}) ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a
          LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid
            AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            AND (d.description IS NOT NULL OR a.attacl IS NOT NULL)) AS columns,
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
    const id = `${materialized ? 'materialized-view' : 'view'}:${v.nspname}.${v.relname}`;
    const relation = { schema: v.nspname, name: v.relname };
    out.push({
      id,
      kind: materialized ? 'materialized-view' : 'view',
      section: 'pre-data',
      schema: v.nspname,
      name: v.relname,
      relation,
      sql: [
        create,
        ...columnSettings(name, v.settings ?? []),
        ...commentStatement(`${kindWord} ${name}`, v.comment),
        ...(v.columns ?? []).flatMap((c) => commentStatement(`COLUMN ${name}.${quoteIdent(c.c)}`, c.d)),
      ],
      drop: `DROP ${kindWord} IF EXISTS ${name}`,
      owner: ownerStatement(`${kindWord} ${name}`, v.owner),
      acl: [
        ...aclStatements('TABLE', name, v.owner, v.acl),
        ...(v.columns ?? []).flatMap((c) => columnAclStatements(name, c.c, c.a, v.owner)),
      ],
      deps: [`schema:${v.nspname}`],
      keys: [catalogKey('pg_class', v.oid), catalogKey('pg_type', v.reltype)],
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
