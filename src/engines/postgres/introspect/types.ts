import { qualify, quoteIdent, quoteLiteral } from '../ident.js';
import { type AclEntry, aclStatements, commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson, collationName, commentOf, notExtensionMember } from './sql.js';

interface TypeRow {
  oid: string;
  nspname: string;
  typname: string;
  typtype: string;
  typrelid: string;
  owner: string;
  acl: AclEntry[] | null;
  comment: string | null;
  notnull: boolean;
  basetype: string | null;
  typdefault: string | null;
  collation: string | null;
  labels: string[] | null;
}

interface AttributeRow {
  attrelid: string;
  attname: string;
  type: string;
  collation: string | null;
  comment: string | null;
}

interface RangeRow {
  rngtypid: string;
  subtype: string;
  opclass: string | null;
  collation: string | null;
  canonical: string | null;
  subdiff: string | null;
  multirange: string | null;
}

interface BaseTypeRow {
  oid: string;
  input: string;
  output: string;
  receive: string | null;
  send: string | null;
  typmodin: string | null;
  typmodout: string | null;
  analyze: string | null;
  subscript: string | null;
  typlen: number;
  byval: boolean;
  align: string;
  storage: string;
  category: string;
  preferred: boolean;
  /** A base type's default is stored as text, not as an expression. */
  default: string | null;
  element: string | null;
  delimiter: string;
  collatable: boolean;
}

interface DomainConstraintRow {
  oid: string;
  contypid: string;
  conname: string;
  def: string;
  comment: string | null;
}

/**
 * User-defined types: enums, composite types, range types (with their
 * multirange), domains with their constraints, and base types. A base type
 * and its I/O functions need each other, so, as pg_dump does, a shell type
 * (`CREATE TYPE name`) comes first, then the functions, then the full type
 * (cycles.ts points the functions at the shell).
 */
export async function readTypes(ctx: CatalogContext): Promise<CatalogObject[]> {
  const types = await rows<TypeRow>(
    ctx,
    `SELECT t.oid, n.nspname, t.typname, t.typtype, t.typrelid,
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
     ORDER BY n.nspname, t.typname`,
    [ctx.schemas],
  );

  const composites = types.filter((t) => t.typtype === 'c').map((t) => t.typrelid);
  const attributes = composites.length
    ? await rows<AttributeRow>(
        ctx,
        `SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ${collationName('a.attcollation')} END AS collation,
           (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = a.attrelid
             AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum) AS comment
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attrelid, a.attnum`,
        [composites],
      )
    : [];

  const rangeIds = types.filter((t) => t.typtype === 'r').map((t) => t.oid);
  const multirange = ctx.version >= 140000 ? 'pg_catalog.format_type(r.rngmultitypid, NULL)' : 'NULL::text';
  const ranges = rangeIds.length
    ? await rows<RangeRow>(
        ctx,
        `SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
           CASE WHEN NOT opc.opcdefault THEN pg_catalog.quote_ident(opn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname) END AS opclass,
           CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN ${collationName('r.rngcollation')} END AS collation,
           CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text END AS canonical,
           CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END AS subdiff,
           ${multirange} AS multirange
         FROM pg_catalog.pg_range r
         JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
         JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc
         JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace
         WHERE r.rngtypid = ANY($1::oid[])`,
        [rangeIds],
      )
    : [];

  const baseIds = types.filter((t) => t.typtype === 'b').map((t) => t.oid);
  const subscript = ctx.version >= 140000 ? 't.typsubscript' : '0::pg_catalog.regproc';
  const proc = (column: string) => `CASE WHEN ${column} <> 0 THEN ${column}::pg_catalog.regproc::text END`;
  const baseTypes = baseIds.length
    ? await rows<BaseTypeRow>(
        ctx,
        `SELECT t.oid, t.typinput::pg_catalog.regproc::text AS input, t.typoutput::pg_catalog.regproc::text AS output,
           ${proc('t.typreceive')} AS receive, ${proc('t.typsend')} AS send,
           ${proc('t.typmodin')} AS typmodin, ${proc('t.typmodout')} AS typmodout,
           ${proc('t.typanalyze')} AS analyze, ${proc(subscript)} AS subscript,
           t.typlen AS typlen, t.typbyval AS byval, t.typalign AS align, t.typstorage AS storage,
           t.typcategory AS category, t.typispreferred AS preferred, t.typdefault AS default,
           CASE WHEN t.typelem <> 0 THEN pg_catalog.format_type(t.typelem, NULL) END AS element,
           t.typdelim AS delimiter, t.typcollation <> 0 AS collatable
         FROM pg_catalog.pg_type t WHERE t.oid = ANY($1::oid[])`,
        [baseIds],
      )
    : [];

  const domainIds = types.filter((t) => t.typtype === 'd').map((t) => t.oid);
  const domainChecks = domainIds.length
    ? await rows<DomainConstraintRow>(
        ctx,
        `SELECT c.oid, c.contypid, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS def,
           ${commentOf('pg_constraint', 'c.oid')} AS comment
         FROM pg_catalog.pg_constraint c WHERE c.contypid = ANY($1::oid[]) AND c.contype = 'c'
         ORDER BY c.contypid, c.conname`,
        [domainIds],
      )
    : [];

  const out: CatalogObject[] = [];
  for (const t of types) {
    const name = qualify(t.nspname, t.typname);
    const base = {
      schema: t.nspname,
      name: t.typname,
      section: 'pre-data' as const,
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
        const cols = attrs.map(
          (a) => `${quoteIdent(a.attname)} ${a.type}${a.collation ? ` COLLATE ${a.collation}` : ''}`,
        );
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
        if (!r) continue;
        const opts = [`subtype = ${r.subtype}`];
        if (r.opclass) opts.push(`subtype_opclass = ${r.opclass}`);
        if (r.collation) opts.push(`collation = ${r.collation}`);
        if (r.canonical) opts.push(`canonical = ${r.canonical}`);
        if (r.subdiff) opts.push(`subtype_diff = ${r.subdiff}`);
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
        if (t.collation) create += ` COLLATE ${t.collation}`;
        if (t.typdefault != null) create += ` DEFAULT ${t.typdefault}`;
        if (t.notnull) create += ' NOT NULL';
        const id = `domain:${t.nspname}.${t.typname}`;
        // A constraint that calls a function over the domain is split out after the function (cycles.ts).
        const parts = checks.map((c) => ({
          check: c,
          object: {
            ...base,
            id: `domain-constraint:${t.nspname}.${t.typname}.${c.conname}`,
            kind: 'constraint',
            name: `${t.typname}.${c.conname}`,
            section: 'post-data',
            sql: [
              `ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(c.conname)} ${c.def}`,
              ...commentStatement(`CONSTRAINT ${quoteIdent(c.conname)} ON DOMAIN ${name}`, c.comment),
            ],
            // ALTER DOMAIN has no IF EXISTS for the domain itself.
            drop: `DO $stowage$ BEGIN IF pg_catalog.to_regtype(${quoteLiteral(name)}) IS NOT NULL THEN ALTER DOMAIN ${name} DROP CONSTRAINT IF EXISTS ${quoteIdent(c.conname)}; END IF; END $stowage$`,
            deps: [id],
            keys: [catalogKey('pg_constraint', c.oid)],
          } satisfies CatalogObject,
        }));
        const statements = (detached: ReadonlySet<string>) => {
          const kept = parts.filter((p) => !detached.has(p.object.id)).map((p) => p.check);
          return [
            create,
            ...kept.map((c) => `ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(c.conname)} ${c.def}`),
            ...commentStatement(`DOMAIN ${name}`, t.comment),
            ...kept.flatMap((c) =>
              commentStatement(`CONSTRAINT ${quoteIdent(c.conname)} ON DOMAIN ${name}`, c.comment),
            ),
          ];
        };
        out.push({
          ...base,
          id,
          kind: 'domain',
          sql: statements(new Set()),
          drop: `DROP DOMAIN IF EXISTS ${name}`,
          owner: ownerStatement(`DOMAIN ${name}`, t.owner),
          acl: aclStatements('DOMAIN', name, t.owner, t.acl),
          detachable: parts.length
            ? { parts: parts.map((p) => p.object), sqlWithout: statements }
            : undefined,
        });
        break;
      }
      case 'b': {
        const b = baseTypes.find((x) => x.oid === t.oid);
        if (!b) continue;
        const shell: CatalogObject = {
          ...base,
          id: `shell-type:${t.nspname}.${t.typname}`,
          kind: 'shell-type',
          sql: [`CREATE TYPE ${name}`],
          keys: [],
        };
        out.push(shell, {
          ...base,
          id: `type:${t.nspname}.${t.typname}`,
          kind: 'type',
          sql: [
            `CREATE TYPE ${name} (${baseTypeOptions(b).join(', ')})`,
            ...commentStatement(`TYPE ${name}`, t.comment),
          ],
          // CASCADE, as pg_dump: the type and its I/O functions depend on each other.
          drop: `DROP TYPE IF EXISTS ${name} CASCADE`,
          owner: ownerStatement(`TYPE ${name}`, t.owner),
          acl: aclStatements('TYPE', name, t.owner, t.acl),
          deps: [...base.deps, shell.id],
          shell: { id: shell.id },
        });
        break;
      }
    }
  }
  return out;
}

const ALIGNMENT: Record<string, string> = { c: 'char', s: 'int2', i: 'int4', d: 'double' };
const TYPE_STORAGE: Record<string, string> = { p: 'plain', e: 'external', m: 'main', x: 'extended' };

/** The options of `CREATE TYPE name (...)` that rebuild a base type's catalog row. */
function baseTypeOptions(b: BaseTypeRow): string[] {
  const opts = [
    `INTERNALLENGTH = ${b.typlen < 0 ? 'variable' : b.typlen}`,
    `INPUT = ${b.input}`,
    `OUTPUT = ${b.output}`,
  ];
  if (b.receive) opts.push(`RECEIVE = ${b.receive}`);
  if (b.send) opts.push(`SEND = ${b.send}`);
  if (b.typmodin) opts.push(`TYPMOD_IN = ${b.typmodin}`);
  if (b.typmodout) opts.push(`TYPMOD_OUT = ${b.typmodout}`);
  if (b.analyze) opts.push(`ANALYZE = ${b.analyze}`);
  if (b.subscript) opts.push(`SUBSCRIPT = ${b.subscript}`);
  if (b.byval) opts.push('PASSEDBYVALUE');
  opts.push(`ALIGNMENT = ${ALIGNMENT[b.align] ?? 'int4'}`, `STORAGE = ${TYPE_STORAGE[b.storage] ?? 'plain'}`);
  opts.push(`CATEGORY = ${quoteLiteral(b.category)}`);
  if (b.preferred) opts.push('PREFERRED = true');
  if (b.default != null) opts.push(`DEFAULT = ${quoteLiteral(b.default)}`);
  if (b.element) opts.push(`ELEMENT = ${b.element}`);
  if (b.delimiter !== ',') opts.push(`DELIMITER = ${quoteLiteral(b.delimiter)}`);
  if (b.collatable) opts.push('COLLATABLE = true');
  return opts;
}
