import { qualify } from '../ident.js';
import { type AclEntry, aclStatements, commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson, commentOf, notExtensionMember } from './sql.js';

interface ShellTypeRow {
  oid: string;
  nspname: string;
  typname: string;
  owner: string;
  acl: AclEntry[] | null;
  comment: string | null;
}

/** Shell types: a bare `CREATE TYPE name;`, reserved for a definition that never came. */
export async function readShellTypes(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<ShellTypeRow>(
    ctx,
    `SELECT t.oid, n.nspname, t.typname, pg_catalog.pg_get_userbyid(t.typowner) AS owner,
       ${aclJson('t.typacl')} AS acl, ${commentOf('pg_type', 't.oid')} AS comment
     FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = ANY($1::text[]) AND t.typtype = 'p' AND NOT t.typisdefined
       AND ${notExtensionMember('pg_type', 't.oid')}
     ORDER BY n.nspname, t.typname`,
    [ctx.schemas],
  );
  return list.map((t) => {
    const name = qualify(t.nspname, t.typname);
    return {
      id: `shell-type:${t.nspname}.${t.typname}`,
      kind: 'shell-type',
      section: 'pre-data',
      schema: t.nspname,
      name: t.typname,
      sql: [`CREATE TYPE ${name}`, ...commentStatement(`TYPE ${name}`, t.comment)],
      drop: `DROP TYPE IF EXISTS ${name}`,
      owner: ownerStatement(`TYPE ${name}`, t.owner),
      acl: aclStatements('TYPE', name, t.owner, t.acl),
      deps: [`schema:${t.nspname}`],
      keys: [catalogKey('pg_type', t.oid)],
    } satisfies CatalogObject;
  });
}
