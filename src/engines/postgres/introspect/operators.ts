import { quoteIdent } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface OperatorRow {
  oid: string;
  nspname: string;
  oprname: string;
  left: string | null;
  right: string;
  func: string;
  commutator: string | null;
  negator: string | null;
  restrict: string | null;
  join: string | null;
  hashes: boolean;
  merges: boolean;
  owner: string;
  comment: string | null;
}

/** `OPERATOR(schema.name)` of the operator with OID `oidExpr`, as COMMUTATOR/NEGATOR take it. */
function operatorName(oidExpr: string): string {
  return `(SELECT 'OPERATOR(' || pg_catalog.quote_ident(rn.nspname) || '.' || r.oprname || ')'
    FROM pg_catalog.pg_operator r JOIN pg_catalog.pg_namespace rn ON rn.oid = r.oprnamespace WHERE r.oid = ${oidExpr})`;
}

/**
 * User-defined operators (`CREATE OPERATOR`). There is no `pg_get_operatordef()`,
 * so the statement is rebuilt from `pg_operator`. Shell operators (made on the
 * fly when another operator names them as commutator or negator, never
 * defined) are skipped, as pg_dump does: creating the operator that names them
 * makes them again.
 */
export async function readOperators(ctx: CatalogContext): Promise<CatalogObject[]> {
  const list = await rows<OperatorRow>(
    ctx,
    `SELECT o.oid, n.nspname, o.oprname,
       CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS left,
       pg_catalog.format_type(o.oprright, NULL) AS right,
       o.oprcode::pg_catalog.regproc::text AS func,
       CASE WHEN o.oprcom <> 0 THEN ${operatorName('o.oprcom')} END AS commutator,
       CASE WHEN o.oprnegate <> 0 THEN ${operatorName('o.oprnegate')} END AS negator,
       CASE WHEN o.oprrest <> 0 THEN o.oprrest::pg_catalog.regproc::text END AS restrict,
       CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::pg_catalog.regproc::text END AS join,
       o.oprcanhash AS hashes, o.oprcanmerge AS merges,
       pg_catalog.pg_get_userbyid(o.oprowner) AS owner, ${commentOf('pg_operator', 'o.oid')} AS comment
     FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
     WHERE n.nspname = ANY($1::text[]) AND o.oprcode <> 0 AND ${notExtensionMember('pg_operator', 'o.oid')}
     ORDER BY n.nspname, o.oprname, o.oprleft, o.oprright`,
    [ctx.schemas],
  );
  return list.map((o) => {
    // Operator names are symbols: never quoted.
    const name = `${quoteIdent(o.nspname)}.${o.oprname}`;
    const signature = `${name} (${o.left ?? 'NONE'}, ${o.right})`;
    const opts = [`FUNCTION = ${o.func}`];
    if (o.left) opts.push(`LEFTARG = ${o.left}`);
    opts.push(`RIGHTARG = ${o.right}`);
    if (o.commutator) opts.push(`COMMUTATOR = ${o.commutator}`);
    if (o.negator) opts.push(`NEGATOR = ${o.negator}`);
    if (o.restrict) opts.push(`RESTRICT = ${o.restrict}`);
    if (o.join) opts.push(`JOIN = ${o.join}`);
    if (o.hashes) opts.push('HASHES');
    if (o.merges) opts.push('MERGES');
    return {
      id: `operator:${o.nspname}.${o.oprname}(${o.left ?? 'NONE'},${o.right})`,
      kind: 'operator',
      section: 'pre-data',
      schema: o.nspname,
      name: `${o.oprname}(${o.left ?? 'NONE'}, ${o.right})`,
      sql: [
        `CREATE OPERATOR ${name} (${opts.join(', ')})`,
        ...commentStatement(`OPERATOR ${signature}`, o.comment),
      ],
      drop: `DROP OPERATOR IF EXISTS ${signature}`,
      owner: ownerStatement(`OPERATOR ${signature}`, o.owner),
      deps: [`schema:${o.nspname}`],
      keys: [catalogKey('pg_operator', o.oid)],
    } satisfies CatalogObject;
  });
}
