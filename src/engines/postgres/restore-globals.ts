import { StowageError } from '../../errors.js';
import type { PgSession } from './connect.js';
import { quoteIdent, quoteLiteral } from './ident.js';
import { type AclEntry, aclStatements, commentStatement } from './introspect/acl.js';
import type { PgGlobals, PgMembership, PgRole, PgTablespace } from './model.js';
import { globToRegExp } from './patterns.js';
import { setClause } from './setting-statement.js';

/** What restoring the globals did. */
export interface GlobalsRestored {
  createdRoles: string[];
  existingRoles: string[];
  createdTablespaces: string[];
  existingTablespaces: string[];
  /** Memberships granted (`role → member`). */
  memberships: number;
  /** Existing roles made to match the archive (`alterExistingRoles`). */
  alteredRoles: string[];
  /** How existing roles differ from the archive, one line each, when they were left as they are. */
  differences: string[];
  /** What the target's version could not express (membership options before PostgreSQL 16). */
  lost: string[];
}

/** How {@link restoreGlobals} treats roles that already exist. */
export interface GlobalsHow {
  /** Only roles and tablespaces whose names match one of these globs. */
  matching?: string[];
  /**
   * Make existing roles match the archive: attributes, password hash (when
   * archived), archived settings and comment, missing memberships. Nothing the
   * archive does not name is revoked or reset; the restoring user is never altered.
   */
  alterExisting?: boolean;
}

/**
 * Recreates the archive's roles and tablespaces on the target server, like
 * running `pg_dumpall --globals-only` output. Unlike that script (whose
 * `ALTER ROLE` lines rewrite every existing role), what already exists is left
 * as it is unless `how.alterExisting`: how each existing role differs from the
 * archive is reported instead. Memberships are granted where the role or the
 * member was created here (between existing roles too with `alterExisting`),
 * with their grantor and, from PostgreSQL 16, their INHERIT and SET options.
 */
export async function restoreGlobals(
  session: PgSession,
  all: PgGlobals,
  how: GlobalsHow = {},
): Promise<GlobalsRestored> {
  const patterns = (how.matching ?? []).map(globToRegExp);
  const wanted = (name: string) => !patterns.length || patterns.some((p) => p.test(name));
  const globals: PgGlobals = {
    roles: all.roles.filter((r) => wanted(r.name)),
    memberships: all.memberships.filter((m) => wanted(m.member)),
    tablespaces: all.tablespaces.filter((t) => wanted(t.name)),
  };
  const done: GlobalsRestored = {
    createdRoles: [],
    existingRoles: [],
    createdTablespaces: [],
    existingTablespaces: [],
    memberships: 0,
    alteredRoles: [],
    differences: [],
    lost: [],
  };
  try {
    return await apply(session, globals, done, !!how.alterExisting);
  } catch (err) {
    const cause = err instanceof StowageError ? err : undefined;
    throw new StowageError(
      cause?.code ?? 'pg-error',
      `restoring roles and tablespaces failed: ${err instanceof Error ? err.message : String(err)}; already applied: ${describeGlobals(done)}`,
      cause?.hint ?? 'fix the cause and restore again: what exists now is reported and left as it is',
      { cause: err },
    );
  }
}

async function apply(
  session: PgSession,
  globals: PgGlobals,
  done: GlobalsRestored,
  alterExisting: boolean,
): Promise<GlobalsRestored> {
  const existing = async (sql: string, names: string[]) =>
    new Set(
      (
        await session.query<{ n: string }>(sql, [names], 'reading the existing roles and tablespaces')
      ).rows.map((r) => r.n),
    );
  const { rows: about } = await session.query<{ version: number; me: string }>(
    `SELECT pg_catalog.current_setting('server_version_num')::int AS version, current_user AS me`,
  );
  const target = about[0]?.version ?? 0;
  const me = about[0]?.me;
  const roleNames = globals.roles.map((r) => r.name);
  const haveRoles = await existing(
    'SELECT rolname AS n FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])',
    roleNames,
  );
  const newRoles = globals.roles.filter((r) => !haveRoles.has(r.name));
  const oldRoles = globals.roles.filter((r) => haveRoles.has(r.name));
  done.existingRoles = oldRoles.map((r) => r.name);
  // Create all roles first, then their settings, comments and memberships: they may name each other.
  for (const role of newRoles) {
    await run(session, [createRole(role)], `creating role ${role.name}`);
    done.createdRoles.push(role.name);
  }
  for (const role of newRoles) await run(session, roleSetup(role), `setting up role ${role.name}`);
  for (const role of oldRoles) {
    const differs = await roleDifferences(session, role);
    if (!differs.length) continue;
    if (alterExisting && role.name !== me) {
      await run(session, [alterRole(role), ...roleSetup(role)], `making role ${role.name} match the archive`);
      done.alteredRoles.push(role.name);
    } else {
      done.differences.push(
        `role ${role.name} differs from the archive in ${differs.join(', ')}${role.name === me ? ' (the restoring user: never altered)' : ''}`,
      );
    }
  }

  const created = new Set(newRoles.map((r) => r.name));
  const present = await existing(
    'SELECT rolname AS n FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])',
    globals.memberships.flatMap((m) => [m.role, m.member, ...(m.grantor ? [m.grantor] : [])]),
  );
  const held = await heldMemberships(session, target);
  const missing = globals.memberships.filter(
    (m) => present.has(m.role) && present.has(m.member) && !held.has(membershipKey(m, target)),
  );
  const grants = missing.filter((m) => alterExisting || created.has(m.role) || created.has(m.member));
  for (const m of missing) {
    if (!grants.includes(m))
      done.differences.push(
        `role ${m.member} is not a member of ${m.role}${m.grantor ? ` granted by ${m.grantor}` : ''} as archived`,
      );
  }
  // Memberships the target holds with other options than archived: the missing ones are granted
  // again (which adds ADMIN, and sets INHERIT and SET from PostgreSQL 16); an ADMIN the archive lacks is only reported.
  for (const m of globals.memberships) {
    const h = held.get(membershipKey(m, target));
    if (!h) continue;
    const lacking = optionsLacking(m, h, target);
    if (lacking.length && alterExisting) grants.push(m);
    else if (lacking.length)
      done.differences.push(`the membership of ${m.member} in ${m.role} lacks ${lacking.join(', ')}`);
    if (h.admin && !m.admin)
      done.differences.push(
        `the membership of ${m.member} in ${m.role} has an ADMIN OPTION the archive lacks`,
      );
  }
  const inheritOf = new Map(globals.roles.map((r) => [r.name, r.inherit]));
  for (const m of inGrantableOrder(grants, held, target, await superusers(session))) {
    const { sql, lost } = grantStatement(m, target, inheritOf.get(m.member), present);
    await run(session, [sql], `granting role ${m.role} to ${m.member}`);
    if (lost) done.lost.push(lost);
    done.memberships++;
  }

  const haveSpaces = await existing(
    'SELECT spcname AS n FROM pg_catalog.pg_tablespace WHERE spcname = ANY($1::text[])',
    globals.tablespaces.map((t) => t.name),
  );
  const newSpaces = globals.tablespaces.filter((t) => !haveSpaces.has(t.name));
  done.existingTablespaces = globals.tablespaces.filter((t) => haveSpaces.has(t.name)).map((t) => t.name);
  // CREATE TABLESPACE cannot run inside a transaction block: one statement per query.
  for (const t of newSpaces) {
    const [create, ...rest] = tablespaceStatements(t);
    // An in-place tablespace (a directory inside the data directory, a test and replication
    // setup) has a relative location; it is made in place again, which needs this developer setting.
    const inPlace = isInPlace(t);
    if (inPlace)
      await run(session, ['SET allow_in_place_tablespaces = on'], 'allowing an in-place tablespace');
    try {
      await run(session, [create as string], `creating tablespace ${t.name}`);
    } finally {
      if (inPlace)
        await run(session, ['RESET allow_in_place_tablespaces'], 'resetting allow_in_place_tablespaces');
    }
    done.createdTablespaces.push(t.name);
    await run(session, rest, `setting up tablespace ${t.name}`);
  }
  return done;
}

/** A one-line account of {@link restoreGlobals} for the restore's warnings. */
export function describeGlobals(r: GlobalsRestored): string {
  const list = (names: string[]) => (names.length ? names.join(', ') : 'none');
  const unchanged = r.existingRoles.filter((n) => !r.alteredRoles.includes(n));
  return (
    `globals: created roles: ${list(r.createdRoles)}; roles that already existed, left unchanged: ${list(unchanged)}; ` +
    `${r.alteredRoles.length ? `existing roles made to match the archive: ${list(r.alteredRoles)}; ` : ''}` +
    `${r.memberships} memberships granted; created tablespaces: ${list(r.createdTablespaces)}; ` +
    `tablespaces that already existed, left unchanged: ${list(r.existingTablespaces)}` +
    `${r.differences.length ? `; ${r.differences.join('; ')} (--alter-existing-roles applies the archive's)` : ''}` +
    `${r.lost.length ? `; not kept: ${r.lost.join('; ')}` : ''}`
  );
}

function createRole(r: PgRole): string {
  return `CREATE ROLE ${quoteIdent(r.name)} WITH ${roleAttributes(r).join(' ')}`;
}

function alterRole(r: PgRole): string {
  return `ALTER ROLE ${quoteIdent(r.name)} WITH ${roleAttributes(r).join(' ')}`;
}

/** The archived settings and comment of a role (settings the target has beyond them stay). */
function roleSetup(role: PgRole): string[] {
  return [
    ...role.settings.map((s) => `ALTER ROLE ${quoteIdent(role.name)} ${setClause(s)}`),
    ...commentStatement(`ROLE ${quoteIdent(role.name)}`, role.comment),
  ];
}

function roleAttributes(r: PgRole): string[] {
  const attrs = [
    r.superuser ? 'SUPERUSER' : 'NOSUPERUSER',
    r.inherit ? 'INHERIT' : 'NOINHERIT',
    r.createRole ? 'CREATEROLE' : 'NOCREATEROLE',
    r.createDb ? 'CREATEDB' : 'NOCREATEDB',
    r.login ? 'LOGIN' : 'NOLOGIN',
    r.replication ? 'REPLICATION' : 'NOREPLICATION',
    r.bypassRls ? 'BYPASSRLS' : 'NOBYPASSRLS',
  ];
  if (r.connectionLimit !== -1) attrs.push(`CONNECTION LIMIT ${r.connectionLimit}`);
  // A stored SCRAM or MD5 hash is taken as already encrypted.
  if (r.password) attrs.push(`PASSWORD ${quoteLiteral(r.password)}`);
  if (r.validUntil) attrs.push(`VALID UNTIL ${quoteLiteral(r.validUntil)}`);
  return attrs;
}

/**
 * What of an existing role differs from the archived one (attributes, the
 * password hash when archived, archived settings it lacks, the comment),
 * compared by the server so that time zones and spellings do not matter.
 */
async function roleDifferences(session: PgSession, r: PgRole): Promise<string[]> {
  const { rows } = await session.query<{ differs: string[] }>(
    `SELECT ARRAY(SELECT x FROM (VALUES
        ('SUPERUSER', r.rolsuper IS DISTINCT FROM $2), ('INHERIT', r.rolinherit IS DISTINCT FROM $3),
        ('CREATEROLE', r.rolcreaterole IS DISTINCT FROM $4), ('CREATEDB', r.rolcreatedb IS DISTINCT FROM $5),
        ('LOGIN', r.rolcanlogin IS DISTINCT FROM $6), ('REPLICATION', r.rolreplication IS DISTINCT FROM $7),
        ('BYPASSRLS', r.rolbypassrls IS DISTINCT FROM $8), ('CONNECTION LIMIT', r.rolconnlimit IS DISTINCT FROM $9),
        ('VALID UNTIL', r.rolvaliduntil IS DISTINCT FROM $10::timestamptz),
        ('password', ${
          // pg_authid is for superusers only: read only when the archive holds a hash to compare.
          r.password
            ? '$11::text IS DISTINCT FROM (SELECT a.rolpassword FROM pg_catalog.pg_authid a WHERE a.oid = r.oid)'
            : '$11::text IS NOT NULL'
        }),
        ('settings', NOT COALESCE((SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s
           WHERE s.setrole = r.oid AND s.setdatabase = 0), '{}') @> $12::text[]),
        ('comment', $13::text IS NOT NULL AND pg_catalog.shobj_description(r.oid, 'pg_authid') IS DISTINCT FROM $13::text)
      ) v(x, differs) WHERE differs) AS differs
     FROM pg_catalog.pg_roles r WHERE r.rolname = $1`,
    [
      r.name,
      r.superuser,
      r.inherit,
      r.createRole,
      r.createDb,
      r.login,
      r.replication,
      r.bypassRls,
      r.connectionLimit,
      r.validUntil,
      r.password ?? null,
      r.settings,
      r.comment,
    ],
    `comparing role ${r.name} with the archive`,
  );
  return rows[0]?.differs ?? [];
}

const membershipKey = (m: Pick<PgMembership, 'role' | 'member' | 'grantor'>, target: number) =>
  // Before PostgreSQL 16 a member holds a role once, whoever granted it.
  JSON.stringify([m.role, m.member, target >= 160000 ? m.grantor : null]);

/** A membership the target holds: its options (INHERIT and SET from PostgreSQL 16). */
interface HeldMembership {
  role: string;
  member: string;
  admin: boolean;
  inherit: boolean | null;
  set: boolean | null;
}

/** The target's memberships, keyed as {@link membershipKey}. */
async function heldMemberships(session: PgSession, target: number): Promise<Map<string, HeldMembership>> {
  const options = target >= 160000;
  const { rows } = await session.query<HeldMembership & { grantor: string | null }>(
    `SELECT pg_catalog.pg_get_userbyid(m.roleid) AS role, pg_catalog.pg_get_userbyid(m.member) AS member,
       CASE WHEN m.grantor <> 0 THEN pg_catalog.pg_get_userbyid(m.grantor) END AS grantor, m.admin_option AS admin,
       ${options ? 'm.inherit_option' : 'NULL::bool'} AS inherit, ${options ? 'm.set_option' : 'NULL::bool'} AS set
     FROM pg_catalog.pg_auth_members m`,
    [],
    'reading the existing role memberships',
  );
  return new Map(rows.map((m) => [membershipKey(m, target), m]));
}

/** The archived options a held membership lacks, as GRANT spells them (those the target can hold). */
function optionsLacking(m: PgMembership, h: HeldMembership, target: number): string[] {
  const out: string[] = [];
  if (m.admin && !h.admin) out.push('ADMIN OPTION');
  if (target >= 160000 && m.inherit !== undefined && h.inherit !== m.inherit)
    out.push(`INHERIT ${m.inherit ? 'TRUE' : 'FALSE'}`);
  if (target >= 160000 && m.set !== undefined && h.set !== m.set) out.push(`SET ${m.set ? 'TRUE' : 'FALSE'}`);
  return out;
}

async function superusers(session: PgSession): Promise<Set<string>> {
  const { rows } = await session.query<{ n: string }>(
    'SELECT rolname AS n FROM pg_catalog.pg_roles WHERE rolsuper',
    [],
    'reading the superusers',
  );
  return new Set(rows.map((r) => r.n));
}

/**
 * Grants in an order PostgreSQL 16+ accepts: a grant GRANTED BY a role that is
 * no superuser comes after the grant giving that role ADMIN on the granted
 * role (as pg_dumpall orders them). Those whose grantor never gets it come
 * last, and then fail naming the grant.
 */
function inGrantableOrder(
  grants: PgMembership[],
  held: Map<string, HeldMembership>,
  target: number,
  supers: Set<string>,
): PgMembership[] {
  if (target < 160000) return grants;
  const admin = new Set(
    [...held.values()].filter((h) => h.admin).map((h) => JSON.stringify(['admin', h.role, h.member])),
  );
  const out: PgMembership[] = [];
  let pending = grants;
  while (pending.length) {
    const ready = pending.filter(
      (m) => !m.grantor || supers.has(m.grantor) || admin.has(JSON.stringify(['admin', m.role, m.grantor])),
    );
    if (!ready.length) return [...out, ...pending];
    for (const m of ready) if (m.admin) admin.add(JSON.stringify(['admin', m.role, m.member]));
    out.push(...ready);
    pending = pending.filter((m) => !ready.includes(m));
  }
  return out;
}

/**
 * `GRANT role TO member` with the archived options the target can express:
 * ADMIN everywhere, INHERIT and SET from PostgreSQL 16 on. An option an older
 * target lacks is named in `lost` when it is not what that target does anyway.
 */
function grantStatement(
  m: PgMembership,
  target: number,
  memberInherits: boolean | undefined,
  present: Set<string>,
): { sql: string; lost?: string } {
  const options: string[] = [];
  const lost: string[] = [];
  if (target >= 160000) {
    if (m.admin) options.push('ADMIN OPTION');
    if (m.inherit !== undefined) options.push(`INHERIT ${m.inherit ? 'TRUE' : 'FALSE'}`);
    if (m.set !== undefined) options.push(`SET ${m.set ? 'TRUE' : 'FALSE'}`);
  } else {
    if (m.admin) options.push('ADMIN OPTION');
    if (m.inherit !== undefined && m.inherit !== (memberInherits ?? true))
      lost.push(`INHERIT ${m.inherit ? 'TRUE' : 'FALSE'}`);
    if (m.set === false) lost.push('SET FALSE');
  }
  const grantor = m.grantor && present.has(m.grantor) ? ` GRANTED BY ${quoteIdent(m.grantor)}` : '';
  return {
    sql: `GRANT ${quoteIdent(m.role)} TO ${quoteIdent(m.member)}${options.length ? ` WITH ${options.join(', ')}` : ''}${grantor}`,
    ...(lost.length
      ? {
          lost: `the membership of ${m.member} in ${m.role} is granted without ${lost.join(' and ')} (PostgreSQL 16+)`,
        }
      : {}),
  };
}

/** pg_tablespace_location() of an in-place tablespace is relative to the data directory. */
function isInPlace(t: PgTablespace): boolean {
  return t.location.startsWith('pg_tblspc/');
}

function tablespaceStatements(t: PgTablespace): string[] {
  const name = quoteIdent(t.name);
  return [
    `CREATE TABLESPACE ${name} OWNER ${quoteIdent(t.owner)} LOCATION ${quoteLiteral(isInPlace(t) ? '' : t.location)}`,
    ...(t.options.length ? [`ALTER TABLESPACE ${name} SET (${t.options.join(', ')})`] : []),
    ...aclStatements('TABLESPACE', name, t.owner, t.acl as AclEntry[] | null),
    ...commentStatement(`TABLESPACE ${name}`, t.comment),
  ];
}

async function run(session: PgSession, statements: string[], what: string): Promise<void> {
  for (const sql of statements) {
    try {
      await session.client.query(sql);
    } catch (err) {
      throw session.translate(err, what);
    }
  }
}
