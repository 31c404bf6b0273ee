import { qualify } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf, notExtensionMember } from './sql.js';

interface FamilyRow {
  oid: string;
  nspname: string;
  name: string;
  am: string;
  owner: string;
  comment: string | null;
}

interface ClassRow extends FamilyRow {
  family: string;
  familyName: string;
  isDefault: boolean;
  type: string;
  storage: string | null;
}

/** One operator or support function of a family or class, and what it belongs to. */
interface MemberRow {
  catalog: 'pg_amop' | 'pg_amproc';
  oid: string;
  /** `pg_opclass` or `pg_opfamily`: which of the two the member's `pg_depend` row points at. */
  ownerCatalog: string;
  ownerOid: string;
  /** The member as `CREATE OPERATOR CLASS` / `ALTER OPERATOR FAMILY ... ADD` write it. */
  item: string;
}

/**
 * Operator families and operator classes. A class's own members (those
 * `pg_depend` ties to the class) go in its `CREATE OPERATOR CLASS`; the
 * family's loose members (added by `ALTER OPERATOR FAMILY ... ADD`, or moved
 * there by the access method, like btree's cross-type operators) go in an
 * `ALTER OPERATOR FAMILY ... ADD` with the family. Every family is created
 * explicitly and every class names its family, which gives the same catalog as
 * a class that made its family implicitly.
 */
export async function readOperatorClasses(ctx: CatalogContext): Promise<CatalogObject[]> {
  const families = await rows<FamilyRow>(
    ctx,
    `SELECT f.oid, n.nspname, f.opfname AS name, am.amname AS am,
       pg_catalog.pg_get_userbyid(f.opfowner) AS owner, ${commentOf('pg_opfamily', 'f.oid')} AS comment
     FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace
     JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
     WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember('pg_opfamily', 'f.oid')}
     ORDER BY n.nspname, f.opfname, am.amname`,
    [ctx.schemas],
  );
  const classes = await rows<ClassRow>(
    ctx,
    `SELECT c.oid, n.nspname, c.opcname AS name, am.amname AS am,
       pg_catalog.pg_get_userbyid(c.opcowner) AS owner, ${commentOf('pg_opclass', 'c.oid')} AS comment,
       c.opcfamily AS family,
       (SELECT pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname)
          FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace
          WHERE f.oid = c.opcfamily) AS "familyName",
       c.opcdefault AS "isDefault", pg_catalog.format_type(c.opcintype, NULL) AS type,
       CASE WHEN c.opckeytype <> 0 THEN pg_catalog.format_type(c.opckeytype, NULL) END AS storage
     FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace
     JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
     WHERE n.nspname = ANY($1::text[]) AND ${notExtensionMember('pg_opclass', 'c.oid')}
     ORDER BY n.nspname, c.opcname, am.amname`,
    [ctx.schemas],
  );
  const owners = [...families.map((f) => f.oid), ...classes.map((c) => c.oid)];
  // Members are found through pg_depend, as pg_dump does: the row says whether a class or the family holds them.
  const members = owners.length
    ? await rows<MemberRow>(
        ctx,
        `SELECT 'pg_amop' AS catalog, ao.oid, d.refclassid::pg_catalog.regclass::text AS "ownerCatalog",
           d.refobjid AS "ownerOid",
           'OPERATOR ' || ao.amopstrategy || ' ' || ao.amopopr::pg_catalog.regoperator::text ||
             CASE WHEN ao.amoppurpose = 'o' THEN ' FOR ORDER BY ' ||
               (SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sf.opfname)
                  FROM pg_catalog.pg_opfamily sf JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace
                  WHERE sf.oid = ao.amopsortfamily) ELSE '' END AS item,
           ao.amopstrategy::int AS number
         FROM pg_catalog.pg_amop ao JOIN pg_catalog.pg_depend d
           ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND d.objid = ao.oid
          AND d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass, 'pg_catalog.pg_opfamily'::pg_catalog.regclass)
         WHERE d.refobjid = ANY($1::oid[])
         UNION ALL
         SELECT 'pg_amproc', ap.oid, d.refclassid::pg_catalog.regclass::text, d.refobjid,
           'FUNCTION ' || ap.amprocnum || ' (' || pg_catalog.format_type(ap.amproclefttype, NULL) || ', ' ||
             pg_catalog.format_type(ap.amprocrighttype, NULL) || ') ' || ap.amproc::pg_catalog.regprocedure::text,
           ap.amprocnum::int + 1000
         FROM pg_catalog.pg_amproc ap JOIN pg_catalog.pg_depend d
           ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND d.objid = ap.oid
          AND d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass, 'pg_catalog.pg_opfamily'::pg_catalog.regclass)
         WHERE d.refobjid = ANY($1::oid[])
         ORDER BY "ownerOid", number, item`,
        [owners],
      )
    : [];
  const membersOf = (catalog: string, oid: string) =>
    members.filter((m) => m.ownerCatalog === catalog && m.ownerOid === oid);

  const out: CatalogObject[] = [];
  for (const f of families) {
    const name = `${qualify(f.nspname, f.name)} USING ${f.am}`;
    const loose = membersOf('pg_opfamily', f.oid);
    out.push({
      id: `operator-family:${f.nspname}.${f.name}(${f.am})`,
      kind: 'operator-family',
      section: 'pre-data',
      schema: f.nspname,
      name: `${f.name} USING ${f.am}`,
      sql: [
        `CREATE OPERATOR FAMILY ${name}`,
        ...(loose.length ? [`ALTER OPERATOR FAMILY ${name} ADD ${loose.map((m) => m.item).join(', ')}`] : []),
        ...commentStatement(`OPERATOR FAMILY ${name}`, f.comment),
      ],
      drop: `DROP OPERATOR FAMILY IF EXISTS ${name}`,
      owner: ownerStatement(`OPERATOR FAMILY ${name}`, f.owner),
      deps: [`schema:${f.nspname}`],
      keys: [catalogKey('pg_opfamily', f.oid), ...loose.map((m) => catalogKey(m.catalog, m.oid))],
    });
  }
  const familyIds = new Map(families.map((f) => [f.oid, `operator-family:${f.nspname}.${f.name}(${f.am})`]));
  for (const c of classes) {
    const name = `${qualify(c.nspname, c.name)} USING ${c.am}`;
    const own = membersOf('pg_opclass', c.oid);
    // The AS list cannot be empty; a class whose members all sit in the family only has its storage type.
    const items = own.map((m) => m.item);
    if (c.storage || !items.length) items.push(`STORAGE ${c.storage ?? c.type}`);
    const family = familyIds.get(c.family);
    out.push({
      id: `operator-class:${c.nspname}.${c.name}(${c.am})`,
      kind: 'operator-class',
      section: 'pre-data',
      schema: c.nspname,
      name: `${c.name} USING ${c.am}`,
      sql: [
        `CREATE OPERATOR CLASS ${qualify(c.nspname, c.name)}${c.isDefault ? ' DEFAULT' : ''} FOR TYPE ${c.type} USING ${c.am} FAMILY ${c.familyName} AS ${items.join(', ')}`,
        ...commentStatement(`OPERATOR CLASS ${name}`, c.comment),
      ],
      drop: `DROP OPERATOR CLASS IF EXISTS ${name}`,
      owner: ownerStatement(`OPERATOR CLASS ${name}`, c.owner),
      deps: [`schema:${c.nspname}`, ...(family ? [family] : [])],
      keys: [catalogKey('pg_opclass', c.oid), ...own.map((m) => catalogKey(m.catalog, m.oid))],
    });
  }
  return out;
}
