import { quoteIdent } from '../ident.js';
import { aclStatements, commentStatement, ownerStatement } from './acl.js';
import { catalogKey, rows } from './context.js';
import { aclJson, commentOf } from './sql.js';
/** Schemas: `CREATE SCHEMA IF NOT EXISTS` (public usually exists already). */
export async function readSchemas(ctx) {
    const list = await rows(ctx, `SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       ${aclJson('n.nspacl')} AS acl, ${commentOf('pg_namespace', 'n.oid')} AS comment
     FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1::text[]) ORDER BY n.nspname`, [ctx.schemas]);
    return list.map((s) => {
        const name = quoteIdent(s.nspname);
        // `public` is created by initdb and owned by pg_database_owner (PG15+): leave its owner alone.
        const keepOwner = s.owner !== 'pg_database_owner';
        return {
            id: `schema:${s.nspname}`,
            kind: 'schema',
            section: 'pre-data',
            schema: null,
            name: s.nspname,
            sql: [`CREATE SCHEMA IF NOT EXISTS ${name}`, ...commentStatement(`SCHEMA ${name}`, s.comment)],
            owner: keepOwner ? ownerStatement(`SCHEMA ${name}`, s.owner) : [],
            acl: aclStatements('SCHEMA', name, s.owner, s.acl),
            deps: [],
            keys: [catalogKey('pg_namespace', s.oid)],
        };
    });
}
/** Extensions other than plpgsql, with the schema they live in. */
export async function readExtensions(ctx) {
    const list = await rows(ctx, `SELECT e.oid, e.extname, n.nspname FROM pg_catalog.pg_extension e
     JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname <> 'plpgsql' ORDER BY e.extname`);
    return list.map((e) => {
        const schema = quoteIdent(e.nspname);
        const sql = [];
        // The extension's schema may be outside the backed-up set; it still has to exist.
        if (!ctx.schemas.includes(e.nspname))
            sql.push(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        sql.push(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.extname)} WITH SCHEMA ${schema}`);
        return {
            id: `extension:${e.extname}`,
            kind: 'extension',
            section: 'pre-data',
            schema: e.nspname,
            name: e.extname,
            sql,
            deps: ctx.schemas.includes(e.nspname) ? [`schema:${e.nspname}`] : [],
            keys: [catalogKey('pg_extension', e.oid)],
        };
    });
}
//# sourceMappingURL=schemas.js.map