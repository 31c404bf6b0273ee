import { qualify, quoteIdent, quoteLiteral } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface PublicationRow {
  oid: string;
  pubname: string;
  owner: string;
  alltables: boolean;
  publish: string;
  viaroot: boolean;
  /** PostgreSQL 18: 's' publishes stored generated columns. */
  gencols: string;
  schemas: string[];
  comment: string | null;
}

interface PublicationTableRow {
  oid: string;
  pubname: string;
  nspname: string;
  relname: string;
  columns: string[] | null;
  qual: string | null;
}

/**
 * Publications and the tables and schemas they publish, as pg_dump writes
 * them: CREATE PUBLICATION with its options, then one `ALTER PUBLICATION …
 * ADD TABLE ONLY` per backed-up table (column list and row filter included,
 * PostgreSQL 15+), so a selective restore keeps the tables it restores.
 * Post-data, like pg_dump: the tables must exist first.
 */
export async function readPublications(ctx: CatalogContext): Promise<CatalogObject[]> {
  // Publications came with PostgreSQL 10.
  if (ctx.selective || ctx.version < 100000) return [];
  const v = ctx.version;
  const publish = [
    `CASE WHEN p.pubinsert THEN 'insert' END`,
    `CASE WHEN p.pubupdate THEN 'update' END`,
    `CASE WHEN p.pubdelete THEN 'delete' END`,
    v >= 110000 ? `CASE WHEN p.pubtruncate THEN 'truncate' END` : 'NULL',
  ];
  const list = await rows<PublicationRow>(
    ctx,
    `SELECT p.oid, p.pubname, pg_catalog.pg_get_userbyid(p.pubowner) AS owner, p.puballtables AS alltables,
       pg_catalog.concat_ws(', ', ${publish.join(', ')}) AS publish,
       ${v >= 130000 ? 'p.pubviaroot' : 'false'} AS viaroot,
       ${v >= 180000 ? 'p.pubgencols::text' : `'n'`} AS gencols,
       ${
         v >= 150000
           ? `ARRAY(SELECT n.nspname::text FROM pg_catalog.pg_publication_namespace pn
                JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid
                WHERE pn.pnpubid = p.oid AND n.nspname = ANY($1::text[]) ORDER BY n.nspname)`
           : `'{}'::text[]`
       } AS schemas,
       ${commentOf('pg_publication', 'p.oid')} AS comment
     FROM pg_catalog.pg_publication p
     WHERE ${notExtensionMember('pg_publication', 'p.oid')} ORDER BY p.pubname`,
    v >= 150000 ? [ctx.schemas] : [],
  );
  const members = await rows<PublicationTableRow>(
    ctx,
    `SELECT pr.oid, p.pubname, n.nspname, c.relname,
       ${
         v >= 150000
           ? `CASE WHEN pr.prattrs IS NOT NULL THEN ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(pr.prattrs) WITH ORDINALITY k(attnum, ord)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.attnum ORDER BY k.ord) END`
           : 'NULL::text[]'
       } AS columns,
       ${v >= 150000 ? 'pg_catalog.pg_get_expr(pr.prqual, pr.prrelid)' : 'NULL::text'} AS qual
     FROM pg_catalog.pg_publication_rel pr
     JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
     JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE pr.prrelid = ANY($1::oid[]) ORDER BY p.pubname, n.nspname, c.relname`,
    [ctx.relations],
  );

  const objects: CatalogObject[] = [];
  for (const p of list) {
    const name = quoteIdent(p.pubname);
    const options = [`publish = ${quoteLiteral(p.publish)}`];
    if (v >= 130000) options.push(`publish_via_partition_root = ${p.viaroot}`);
    if (p.gencols === 's') options.push('publish_generated_columns = stored');
    objects.push({
      id: `publication:${p.pubname}`,
      kind: 'publication',
      section: 'post-data',
      schema: null,
      name: p.pubname,
      sql: [
        `CREATE PUBLICATION ${name}${p.alltables ? ' FOR ALL TABLES' : ''} WITH (${options.join(', ')})`,
        ...p.schemas.map((s) => `ALTER PUBLICATION ${name} ADD TABLES IN SCHEMA ${quoteIdent(s)}`),
        ...commentStatement(`PUBLICATION ${name}`, p.comment),
      ],
      drop: `DROP PUBLICATION IF EXISTS ${name}`,
      owner: ownerStatement(`PUBLICATION ${name}`, p.owner),
      deps: p.schemas.map((s) => `schema:${s}`),
      keys: [catalogKey('pg_publication', p.oid)],
    });
  }
  for (const m of members) {
    const table = qualify(m.nspname, m.relname);
    let add = `ALTER PUBLICATION ${quoteIdent(m.pubname)} ADD TABLE ONLY ${table}`;
    if (m.columns) add += ` (${m.columns.map(quoteIdent).join(', ')})`;
    if (m.qual) add += ` WHERE (${m.qual})`;
    objects.push({
      id: `publication-table:${m.pubname}:${m.nspname}.${m.relname}`,
      kind: 'publication-table',
      section: 'post-data',
      schema: m.nspname,
      name: `${m.pubname} ${m.relname}`,
      relation: { schema: m.nspname, name: m.relname },
      sql: [add],
      deps: [`publication:${m.pubname}`],
      keys: [catalogKey('pg_publication_rel', m.oid)],
      lock: 'exclusive',
    });
  }
  return objects;
}
