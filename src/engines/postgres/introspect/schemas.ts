import { quoteIdent } from '../ident.js';
import { isInitdbPublicComment } from '../initdb-public-comment.js';
import { type AclEntry, aclDiffStatements, aclStatements, commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson, commentOf } from './sql.js';

interface SchemaRow {
  oid: string;
  nspname: string;
  owner: string;
  owner_oid: string;
  acl: AclEntry[] | null;
  /** The ACL initdb gave the schema (`public`), or null for a schema created later. */
  initial: AclEntry[] | null;
  /** The ACL in effect (the owner's default when `acl` is null). */
  effective: AclEntry[];
  comment: string | null;
}

/** Schemas: `CREATE SCHEMA IF NOT EXISTS` (public usually exists already). */
export async function readSchemas(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<SchemaRow>(
    ctx,
    `SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, n.nspowner::text AS owner_oid,
       ${aclJson('n.nspacl')} AS acl, ${commentOf('pg_namespace', 'n.oid')} AS comment,
       ${aclJson(`COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))`)} AS effective,
       (SELECT ${aclJson('ip.initprivs')} FROM pg_catalog.pg_init_privs ip
         WHERE ip.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND ip.objoid = n.oid AND ip.objsubid = 0) AS initial
     FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1::text[]) ORDER BY n.nspname`,
    [ctx.schemas],
  );
  return list.map((s) => {
    const name = quoteIdent(s.nspname);
    // `public` is made by initdb, and CREATE DATABASE gives it a default owner: pg_database_owner
    // from PostgreSQL 15, the bootstrap superuser before. Only a changed owner travels, as with pg_dump.
    // A `public` dropped and made again is no longer initdb's. CREATE SCHEMA IF NOT EXISTS leaves the
    // target's own public as initdb made it, with grants to PUBLIC (USAGE; CREATE too before 15) and a
    // comment: its ACL is set whole (the null ACL here means the owner's default) and a missing comment
    // removed, as pg_restore of pg_dump's entries does.
    const remade = s.initial === null && s.nspname === 'public';
    const defaultOwner = ctx.version >= 150000 ? s.owner === 'pg_database_owner' : s.owner_oid === '10';
    const keepOwner = !(s.initial && defaultOwner) && s.owner !== 'pg_database_owner';
    return {
      id: `schema:${s.nspname}`,
      kind: 'schema',
      section: 'pre-data',
      schema: null,
      name: s.nspname,
      sql: [
        `CREATE SCHEMA IF NOT EXISTS ${name}`,
        ...(remade && s.comment === null
          ? [`COMMENT ON SCHEMA ${name} IS NULL`]
          : commentStatement(
              `SCHEMA ${name}`,
              isInitdbPublicComment(s.nspname, s.comment) ? null : s.comment,
            )),
      ],
      owner: keepOwner ? ownerStatement(`SCHEMA ${name}`, s.owner) : [],
      // An initdb-made schema (public) exists in every new database with its version's defaults: only changes travel.
      acl: s.initial
        ? aclDiffStatements('SCHEMA', name, s.effective, s.initial)
        : aclStatements('SCHEMA', name, s.owner, remade ? s.effective : s.acl),
      deps: [],
      keys: [catalogKey('pg_namespace', s.oid)],
    } satisfies CatalogObject;
  });
}

/** Extensions other than plpgsql, with the schema they live in. */
export async function readExtensions(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<{ oid: string; extname: string; nspname: string; comment: string | null }>(
    ctx,
    `SELECT e.oid, e.extname, n.nspname, ${commentOf('pg_extension', 'e.oid')} AS comment FROM pg_catalog.pg_extension e
     JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname <> 'plpgsql' ORDER BY e.extname`,
  );
  return list.map((e) => {
    const schema = quoteIdent(e.nspname);
    const sql: string[] = [];
    // The extension's schema may be outside the backed-up set; it still has to exist.
    if (!ctx.schemas.includes(e.nspname)) sql.push(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    sql.push(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.extname)} WITH SCHEMA ${schema}`);
    // CREATE EXTENSION sets the control file's comment; a changed one is restored over it.
    sql.push(...commentStatement(`EXTENSION ${quoteIdent(e.extname)}`, e.comment));
    return {
      id: `extension:${e.extname}`,
      kind: 'extension',
      section: 'pre-data',
      schema: e.nspname,
      name: e.extname,
      sql,
      deps: ctx.schemas.includes(e.nspname) ? [`schema:${e.nspname}`] : [],
      keys: [catalogKey('pg_extension', e.oid)],
    } satisfies CatalogObject;
  });
}
