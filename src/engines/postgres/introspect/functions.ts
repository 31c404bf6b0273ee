import { qualify, quoteLiteral } from '../ident.js';
import { type AclEntry, aclStatements, commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson, commentOf, notExtensionMember } from './sql.js';

interface RoutineRow {
  oid: string;
  nspname: string;
  proname: string;
  prokind: string;
  identity: string;
  args: string;
  def: string | null;
  parallel: string;
  owner: string;
  acl: AclEntry[] | null;
  comment: string | null;
}

interface AggregateRow {
  aggfnoid: string;
  sfunc: string;
  stype: string;
  sspace: number;
  finalfunc: string | null;
  finalextra: boolean;
  finalmodify: string | null;
  combinefunc: string | null;
  serialfunc: string | null;
  deserialfunc: string | null;
  initcond: string | null;
  msfunc: string | null;
  minvfunc: string | null;
  mstype: string | null;
  msspace: number;
  mfinalfunc: string | null;
  mfinalextra: boolean;
  mfinalmodify: string | null;
  minitcond: string | null;
  sortop: string | null;
  hypothetical: boolean;
}

/**
 * Functions, procedures and aggregates. Functions and procedures come from
 * `pg_get_functiondef()`; aggregates have no such helper and are rebuilt from
 * `pg_aggregate`. Routines that exist only as part of another object (a range
 * type's constructors) are left to that object.
 */
export async function readRoutines(ctx: CatalogContext): Promise<CatalogObject[]> {
  // prokind came with procedures in 11; before, flags said aggregate or window function.
  const prokind =
    ctx.version >= 110000
      ? 'p.prokind'
      : `CASE WHEN p.proisagg THEN 'a' WHEN p.proiswindow THEN 'w' ELSE 'f' END`;
  const list = await rows<RoutineRow>(
    ctx,
    `SELECT p.oid, n.nspname, p.proname, ${prokind} AS prokind,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity,
       pg_catalog.pg_get_function_arguments(p.oid) AS args,
       CASE WHEN ${prokind} <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END AS def,
       p.proparallel AS parallel,
       pg_catalog.pg_get_userbyid(p.proowner) AS owner, ${aclJson('p.proacl')} AS acl,
       ${commentOf('pg_proc', 'p.oid')} AS comment
     FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember('pg_proc', 'p.oid')}
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                       AND d.objid = p.oid AND d.deptype = 'i')
     ORDER BY n.nspname, p.proname, identity`,
    [ctx.schemas],
  );

  const aggIds = list.filter((r) => r.prokind === 'a').map((r) => r.oid);
  const finalModify = ctx.version >= 110000 ? 'a.aggfinalmodify' : 'NULL::"char"';
  const mFinalModify = ctx.version >= 110000 ? 'a.aggmfinalmodify' : 'NULL::"char"';
  const aggs = aggIds.length
    ? await rows<AggregateRow>(
        ctx,
        `SELECT a.aggfnoid::oid AS aggfnoid,
           a.aggtransfn::pg_catalog.regproc::text AS sfunc,
           pg_catalog.format_type(a.aggtranstype, NULL) AS stype, a.aggtransspace AS sspace,
           CASE WHEN a.aggfinalfn <> 0 THEN a.aggfinalfn::pg_catalog.regproc::text END AS finalfunc,
           a.aggfinalextra AS finalextra, ${finalModify} AS finalmodify,
           CASE WHEN a.aggcombinefn <> 0 THEN a.aggcombinefn::pg_catalog.regproc::text END AS combinefunc,
           CASE WHEN a.aggserialfn <> 0 THEN a.aggserialfn::pg_catalog.regproc::text END AS serialfunc,
           CASE WHEN a.aggdeserialfn <> 0 THEN a.aggdeserialfn::pg_catalog.regproc::text END AS deserialfunc,
           a.agginitval AS initcond,
           CASE WHEN a.aggmtransfn <> 0 THEN a.aggmtransfn::pg_catalog.regproc::text END AS msfunc,
           CASE WHEN a.aggminvtransfn <> 0 THEN a.aggminvtransfn::pg_catalog.regproc::text END AS minvfunc,
           CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END AS mstype,
           a.aggmtransspace AS msspace,
           CASE WHEN a.aggmfinalfn <> 0 THEN a.aggmfinalfn::pg_catalog.regproc::text END AS mfinalfunc,
           a.aggmfinalextra AS mfinalextra, ${mFinalModify} AS mfinalmodify, a.aggminitval AS minitcond,
           CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::pg_catalog.regoper::text END AS sortop,
           a.aggkind = 'h' AS hypothetical
         FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = ANY($1::oid[])`,
        [aggIds],
      )
    : [];

  return list.map((r) => {
    // An aggregate over no arguments is written agg(*) in every statement naming it.
    const signature = `${qualify(r.nspname, r.proname)}(${r.identity || (r.prokind === 'a' ? '*' : '')})`;
    const base = {
      schema: r.nspname,
      name: `${r.proname}(${r.identity})`,
      section: 'pre-data' as const,
      deps: [`schema:${r.nspname}`],
      keys: [catalogKey('pg_proc', r.oid)],
      acl: aclStatements('ROUTINE', signature, r.owner, r.acl),
    };
    if (r.prokind === 'a') {
      const a = aggs.find((x) => x.aggfnoid === r.oid);
      return {
        ...base,
        id: `aggregate:${r.nspname}.${r.proname}(${r.identity})`,
        kind: 'aggregate',
        sql: [
          a ? createAggregate(qualify(r.nspname, r.proname), r.args, r.parallel, a) : '',
          ...commentStatement(`AGGREGATE ${signature}`, r.comment),
        ].filter(Boolean),
        drop: `DROP AGGREGATE IF EXISTS ${signature}`,
        owner: ownerStatement(`AGGREGATE ${signature}`, r.owner),
      } satisfies CatalogObject;
    }
    return {
      ...base,
      id: `function:${r.nspname}.${r.proname}(${r.identity})`,
      kind: 'function',
      sql: [(r.def ?? '').trim(), ...commentStatement(`ROUTINE ${signature}`, r.comment)],
      drop: `DROP ROUTINE IF EXISTS ${signature}`,
      owner: ownerStatement(`ROUTINE ${signature}`, r.owner),
    } satisfies CatalogObject;
  });
}

const MODIFY: Record<string, string> = { r: 'READ_ONLY', s: 'SHAREABLE', w: 'READ_WRITE' };
const PARALLEL: Record<string, string> = { s: 'SAFE', r: 'RESTRICTED', u: 'UNSAFE' };

function createAggregate(name: string, args: string, parallel: string, a: AggregateRow): string {
  const opts = [`SFUNC = ${a.sfunc}`, `STYPE = ${a.stype}`];
  if (a.sspace) opts.push(`SSPACE = ${a.sspace}`);
  if (a.finalfunc) opts.push(`FINALFUNC = ${a.finalfunc}`);
  if (a.finalextra) opts.push('FINALFUNC_EXTRA');
  if (a.finalfunc && a.finalmodify && a.finalmodify !== 'r')
    opts.push(`FINALFUNC_MODIFY = ${MODIFY[a.finalmodify]}`);
  if (a.combinefunc) opts.push(`COMBINEFUNC = ${a.combinefunc}`);
  if (a.serialfunc) opts.push(`SERIALFUNC = ${a.serialfunc}`);
  if (a.deserialfunc) opts.push(`DESERIALFUNC = ${a.deserialfunc}`);
  if (a.initcond != null) opts.push(`INITCOND = ${quoteLiteral(a.initcond)}`);
  if (a.msfunc) {
    opts.push(`MSFUNC = ${a.msfunc}`, `MINVFUNC = ${a.minvfunc}`, `MSTYPE = ${a.mstype}`);
    if (a.msspace) opts.push(`MSSPACE = ${a.msspace}`);
    if (a.mfinalfunc) opts.push(`MFINALFUNC = ${a.mfinalfunc}`);
    if (a.mfinalextra) opts.push('MFINALFUNC_EXTRA');
    if (a.mfinalfunc && a.mfinalmodify && a.mfinalmodify !== 'r')
      opts.push(`MFINALFUNC_MODIFY = ${MODIFY[a.mfinalmodify]}`);
    if (a.minitcond != null) opts.push(`MINITCOND = ${quoteLiteral(a.minitcond)}`);
  }
  if (a.sortop)
    opts.push(`SORTOP = OPERATOR(${a.sortop.includes('.') ? a.sortop : `pg_catalog.${a.sortop}`})`);
  if (a.hypothetical) opts.push('HYPOTHETICAL');
  if (parallel !== 'u') opts.push(`PARALLEL = ${PARALLEL[parallel]}`);
  return `CREATE AGGREGATE ${name}(${args || '*'}) (${opts.join(', ')})`;
}
