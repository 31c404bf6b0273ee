import { qualify, quoteIdent } from '../ident.js';
import { commentStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf } from './sql.js';

interface PolicyRow {
  oid: string;
  polname: string;
  nspname: string;
  relname: string;
  cmd: string;
  permissive: boolean;
  roles: string[];
  qual: string | null;
  withcheck: string | null;
  comment: string | null;
}

const COMMANDS: Record<string, string> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

/** Row-level security policies (enabling RLS itself is part of the table, see tables.ts). */
export async function readPolicies(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<PolicyRow>(
    ctx,
    `SELECT p.oid, p.polname, n.nspname, c.relname, p.polcmd AS cmd, ${ctx.version >= 100000 ? 'p.polpermissive' : 'true'} AS permissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END
             FROM pg_catalog.unnest(p.polroles) r) AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck,
       ${commentOf('pg_policy', 'p.oid')} AS comment
     FROM pg_catalog.pg_policy p
     JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE p.polrelid = ANY($1::oid[])
     ORDER BY n.nspname, c.relname, p.polname`,
    [ctx.relations],
  );
  return list.map((p) => {
    const table = qualify(p.nspname, p.relname);
    let sql = `CREATE POLICY ${quoteIdent(p.polname)} ON ${table} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'}`;
    sql += ` FOR ${COMMANDS[p.cmd] ?? 'ALL'} TO ${p.roles.join(', ') || 'PUBLIC'}`;
    if (p.qual != null) sql += ` USING (${p.qual})`;
    if (p.withcheck != null) sql += ` WITH CHECK (${p.withcheck})`;
    return {
      id: `policy:${p.nspname}.${p.relname}.${p.polname}`,
      kind: 'policy',
      section: 'post-data',
      schema: p.nspname,
      name: `${p.relname}.${p.polname}`,
      relation: { schema: p.nspname, name: p.relname },
      sql: [sql, ...commentStatement(`POLICY ${quoteIdent(p.polname)} ON ${table}`, p.comment)],
      roles: p.roles.filter((r) => r !== 'PUBLIC'),
      deps: [],
      keys: [catalogKey('pg_policy', p.oid)],
      lock: 'exclusive',
    } satisfies CatalogObject;
  });
}
