import { qualify, quoteLiteral } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface CollationRow {
  oid: string;
  nspname: string;
  collname: string;
  provider: string;
  deterministic: boolean;
  collate: string | null;
  ctype: string | null;
  locale: string | null;
  rules: string | null;
  owner: string;
  comment: string | null;
}

/** User-defined collations (`CREATE COLLATION`), which columns may use. */
export async function readCollations(ctx: CatalogContext): Promise<CatalogObject[]> {
  // The ICU locale column moved twice: colliculocale (15, 16), colllocale (17+).
  const locale =
    ctx.version >= 170000 ? 'c.colllocale' : ctx.version >= 150000 ? 'c.colliculocale' : 'NULL::text';
  const rules = ctx.version >= 160000 ? 'c.collicurules' : 'NULL::text';
  // Providers came with 10 (before, every collation is libc), nondeterministic collations with 12.
  const provider = ctx.version >= 100000 ? 'c.collprovider' : `'c'::"char"`;
  const deterministic = ctx.version >= 120000 ? 'c.collisdeterministic' : 'true';
  const list = await rows<CollationRow>(
    ctx,
    `SELECT c.oid, n.nspname, c.collname, ${provider} AS provider, ${deterministic} AS deterministic,
       c.collcollate AS collate, c.collctype AS ctype, ${locale} AS locale, ${rules} AS rules,
       pg_catalog.pg_get_userbyid(c.collowner) AS owner, ${commentOf('pg_collation', 'c.oid')} AS comment
     FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
     WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember('pg_collation', 'c.oid')}
     ORDER BY n.nspname, c.collname`,
    [ctx.schemas],
  );
  return list.map((c) => {
    const name = qualify(c.nspname, c.collname);
    const opts: string[] = [];
    const provider = { c: 'libc', i: 'icu', b: 'builtin' }[c.provider];
    if (provider) opts.push(`provider = ${provider}`);
    if (c.provider === 'i' || c.provider === 'b') {
      opts.push(`locale = ${quoteLiteral(c.locale ?? c.collate ?? '')}`);
    } else if (c.collate === c.ctype) {
      opts.push(`locale = ${quoteLiteral(c.collate ?? '')}`);
    } else {
      opts.push(`lc_collate = ${quoteLiteral(c.collate ?? '')}`, `lc_ctype = ${quoteLiteral(c.ctype ?? '')}`);
    }
    if (!c.deterministic) opts.push('deterministic = false');
    if (c.rules) opts.push(`rules = ${quoteLiteral(c.rules)}`);
    return {
      id: `collation:${c.nspname}.${c.collname}`,
      kind: 'collation',
      section: 'pre-data',
      schema: c.nspname,
      name: c.collname,
      sql: [
        `CREATE COLLATION ${name} (${opts.join(', ')})`,
        ...commentStatement(`COLLATION ${name}`, c.comment),
      ],
      drop: `DROP COLLATION IF EXISTS ${name}`,
      owner: ownerStatement(`COLLATION ${name}`, c.owner),
      deps: [`schema:${c.nspname}`],
      keys: [catalogKey('pg_collation', c.oid)],
    } satisfies CatalogObject;
  });
}
