import { qualify, quoteIdent, quoteLiteral } from '../ident.js';
import { aclStatements, commentStatement, ownerStatement } from './acl.js';
import { catalogKey, rows } from './context.js';
import { aclJson, collationName, commentOf, notExtensionMember } from './sql.js';
/**
 * User-defined types: enums, composite types, range types (with their
 * multirange), and domains with their constraints. Base types need C
 * functions and are reported, not backed up.
 */
export async function readTypes(ctx) {
    const types = await rows(ctx, `SELECT t.oid, n.nspname, t.typname, t.typtype, t.typrelid,
       pg_catalog.pg_get_userbyid(t.typowner) AS owner, ${aclJson('t.typacl')} AS acl,
       ${commentOf('pg_type', 't.oid')} AS comment, t.typnotnull AS notnull,
       CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS basetype,
       pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS typdefault,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation IS DISTINCT FROM bt.typcollation
            THEN ${collationName('t.typcollation')} END AS collation,
       (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e
         WHERE e.enumtypid = t.oid) AS labels
     FROM pg_catalog.pg_type t
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
     WHERE n.nspname = ANY($1::text[]) AND t.typtype IN ('b', 'c', 'd', 'e', 'r')
       AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type el WHERE el.typarray = t.oid)
       AND ${notExtensionMember('pg_type', 't.oid')}
     ORDER BY n.nspname, t.typname`, [ctx.schemas]);
    const composites = types.filter((t) => t.typtype === 'c').map((t) => t.typrelid);
    const attributes = composites.length
        ? await rows(ctx, `SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ${collationName('a.attcollation')} END AS collation,
           (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = a.attrelid
             AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum) AS comment
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attrelid, a.attnum`, [composites])
        : [];
    const rangeIds = types.filter((t) => t.typtype === 'r').map((t) => t.oid);
    const multirange = ctx.version >= 140000 ? 'pg_catalog.format_type(r.rngmultitypid, NULL)' : 'NULL::text';
    const ranges = rangeIds.length
        ? await rows(ctx, `SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
           CASE WHEN NOT opc.opcdefault THEN pg_catalog.quote_ident(opn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname) END AS opclass,
           CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN ${collationName('r.rngcollation')} END AS collation,
           CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text END AS canonical,
           CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END AS subdiff,
           ${multirange} AS multirange
         FROM pg_catalog.pg_range r
         JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
         JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc
         JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace
         WHERE r.rngtypid = ANY($1::oid[])`, [rangeIds])
        : [];
    const domainIds = types.filter((t) => t.typtype === 'd').map((t) => t.oid);
    const domainChecks = domainIds.length
        ? await rows(ctx, `SELECT c.oid, c.contypid, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS def,
           ${commentOf('pg_constraint', 'c.oid')} AS comment
         FROM pg_catalog.pg_constraint c WHERE c.contypid = ANY($1::oid[]) AND c.contype = 'c'
         ORDER BY c.contypid, c.conname`, [domainIds])
        : [];
    const out = [];
    for (const t of types) {
        const name = qualify(t.nspname, t.typname);
        const base = {
            schema: t.nspname,
            name: t.typname,
            section: 'pre-data',
            deps: [`schema:${t.nspname}`],
            keys: [catalogKey('pg_type', t.oid)],
        };
        switch (t.typtype) {
            case 'e': {
                const labels = (t.labels ?? []).map(quoteLiteral).join(', ');
                out.push({
                    ...base,
                    id: `type:${t.nspname}.${t.typname}`,
                    kind: 'type',
                    sql: [`CREATE TYPE ${name} AS ENUM (${labels})`, ...commentStatement(`TYPE ${name}`, t.comment)],
                    drop: `DROP TYPE IF EXISTS ${name}`,
                    owner: ownerStatement(`TYPE ${name}`, t.owner),
                    acl: aclStatements('TYPE', name, t.owner, t.acl),
                });
                break;
            }
            case 'c': {
                const attrs = attributes.filter((a) => a.attrelid === t.typrelid);
                const cols = attrs.map((a) => `${quoteIdent(a.attname)} ${a.type}${a.collation ? ` COLLATE ${a.collation}` : ''}`);
                out.push({
                    ...base,
                    id: `type:${t.nspname}.${t.typname}`,
                    kind: 'type',
                    sql: [
                        `CREATE TYPE ${name} AS (${cols.join(', ')})`,
                        ...commentStatement(`TYPE ${name}`, t.comment),
                        ...attrs.flatMap((a) => commentStatement(`COLUMN ${name}.${quoteIdent(a.attname)}`, a.comment)),
                    ],
                    drop: `DROP TYPE IF EXISTS ${name}`,
                    owner: ownerStatement(`TYPE ${name}`, t.owner),
                    acl: aclStatements('TYPE', name, t.owner, t.acl),
                    keys: [...base.keys, catalogKey('pg_class', t.typrelid)],
                });
                break;
            }
            case 'r': {
                const r = ranges.find((x) => x.rngtypid === t.oid);
                if (!r)
                    continue;
                const opts = [`subtype = ${r.subtype}`];
                if (r.opclass)
                    opts.push(`subtype_opclass = ${r.opclass}`);
                if (r.collation)
                    opts.push(`collation = ${r.collation}`);
                if (r.canonical)
                    opts.push(`canonical = ${r.canonical}`);
                if (r.subdiff)
                    opts.push(`subtype_diff = ${r.subdiff}`);
                const defaultMulti = t.typname.includes('range')
                    ? t.typname.replace('range', 'multirange')
                    : `${t.typname}_multirange`;
                if (r.multirange && r.multirange !== qualify(t.nspname, defaultMulti)) {
                    opts.push(`multirange_type_name = ${r.multirange}`);
                }
                out.push({
                    ...base,
                    id: `type:${t.nspname}.${t.typname}`,
                    kind: 'type',
                    sql: [
                        `CREATE TYPE ${name} AS RANGE (${opts.join(', ')})`,
                        ...commentStatement(`TYPE ${name}`, t.comment),
                    ],
                    drop: `DROP TYPE IF EXISTS ${name}`,
                    owner: ownerStatement(`TYPE ${name}`, t.owner),
                    acl: aclStatements('TYPE', name, t.owner, t.acl),
                });
                break;
            }
            case 'd': {
                const checks = domainChecks.filter((c) => c.contypid === t.oid);
                let create = `CREATE DOMAIN ${name} AS ${t.basetype}`;
                if (t.collation)
                    create += ` COLLATE ${t.collation}`;
                if (t.typdefault != null)
                    create += ` DEFAULT ${t.typdefault}`;
                if (t.notnull)
                    create += ' NOT NULL';
                out.push({
                    ...base,
                    id: `domain:${t.nspname}.${t.typname}`,
                    kind: 'domain',
                    sql: [
                        create,
                        ...checks.map((c) => `ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(c.conname)} ${c.def}`),
                        ...commentStatement(`DOMAIN ${name}`, t.comment),
                        ...checks.flatMap((c) => commentStatement(`CONSTRAINT ${quoteIdent(c.conname)} ON DOMAIN ${name}`, c.comment)),
                    ],
                    drop: `DROP DOMAIN IF EXISTS ${name}`,
                    owner: ownerStatement(`DOMAIN ${name}`, t.owner),
                    acl: aclStatements('DOMAIN', name, t.owner, t.acl),
                    keys: [...base.keys, ...checks.map((c) => catalogKey('pg_constraint', c.oid))],
                });
                break;
            }
            default:
                ctx.warnings.push(`base type ${name} is not backed up (it needs C functions; install it in the target first)`);
        }
    }
    return out;
}
//# sourceMappingURL=types.js.map