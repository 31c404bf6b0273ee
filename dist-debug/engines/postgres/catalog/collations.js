import { qualify, quoteLiteral } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';
/** User-defined collations (`CREATE COLLATION`), which columns may use. */
export async function readCollations(ctx) {
    // The ICU locale column moved twice: colliculocale (15, 16), colllocale (17+).
    const locale = ctx.version >= 170000 ? 'c.colllocale' : ctx.version >= 150000 ? 'c.colliculocale' : 'NULL::text';
    const rules = ctx.version >= 160000 ? 'c.collicurules' : 'NULL::text';
    const list = await rows(ctx, `SELECT c.oid, n.nspname, c.collname, c.collprovider AS provider, c.collisdeterministic AS deterministic,
       c.collcollate AS collate, c.collctype AS ctype, ${locale} AS locale, ${rules} AS rules,
       pg_catalog.pg_get_userbyid(c.collowner) AS owner, ${commentOf('pg_collation', 'c.oid')} AS comment
     FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
     WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember('pg_collation', 'c.oid')}
     ORDER BY n.nspname, c.collname`, [ctx.schemas]);
    return list.map((c) => {
        const name = qualify(c.nspname, c.collname);
        const opts = [];
        const provider = { c: 'libc', i: 'icu', b: 'builtin' }[c.provider];
        if (provider)
            opts.push(`provider = ${provider}`);
        if (c.provider === 'i' || c.provider === 'b') {
            opts.push(`locale = ${quoteLiteral(c.locale ?? c.collate ?? '')}`);
        }
        else if (c.collate === c.ctype) {
            opts.push(`locale = ${quoteLiteral(c.collate ?? '')}`);
        }
        else {
            opts.push(`lc_collate = ${quoteLiteral(c.collate ?? '')}`, `lc_ctype = ${quoteLiteral(c.ctype ?? '')}`);
        }
        if (!c.deterministic)
            opts.push('deterministic = false');
        if (c.rules)
            opts.push(`rules = ${quoteLiteral(c.rules)}`);
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
        };
    });
}
//# sourceMappingURL=collations.js.map