import { StowageError } from '../../errors.js';
import type { PgSession } from './connect.js';
import { quoteIdent, quoteLiteral } from './ident.js';
import { type AclEntry, aclStatements, commentStatement } from './introspect/acl.js';
import type { PgGlobals, PgRole, PgTablespace } from './model.js';
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
}

/**
 * Recreates the archive's roles and tablespaces on the target server, like
 * running `pg_dumpall --globals-only` output, except that what already exists
 * is reported and left as it is: restoring into a server never changes the
 * attributes, passwords or memberships of its existing roles. Memberships are
 * granted where the role or the member was created here.
 */
export async function restoreGlobals(
  session: PgSession,
  all: PgGlobals,
  matching?: string[],
): Promise<GlobalsRestored> {
  const patterns = (matching ?? []).map(globToRegExp);
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
  };
  try {
    return await apply(session, globals, done);
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
): Promise<GlobalsRestored> {
  const existing = async (sql: string, names: string[]) =>
    new Set(
      (
        await session.query<{ n: string }>(sql, [names], 'reading the existing roles and tablespaces')
      ).rows.map((r) => r.n),
    );
  const roleNames = globals.roles.map((r) => r.name);
  const haveRoles = await existing(
    'SELECT rolname AS n FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])',
    roleNames,
  );
  const newRoles = globals.roles.filter((r) => !haveRoles.has(r.name));
  done.existingRoles = globals.roles.filter((r) => haveRoles.has(r.name)).map((r) => r.name);
  // Create all roles first, then their settings, comments and memberships: they may name each other.
  for (const role of newRoles) {
    await run(session, [createRole(role)], `creating role ${role.name}`);
    done.createdRoles.push(role.name);
  }
  for (const role of newRoles) {
    const sql = [
      ...role.settings.map((s) => `ALTER ROLE ${quoteIdent(role.name)} ${setClause(s)}`),
      ...commentStatement(`ROLE ${quoteIdent(role.name)}`, role.comment),
    ];
    await run(session, sql, `setting up role ${role.name}`);
  }
  const created = new Set(newRoles.map((r) => r.name));
  const grants = globals.memberships.filter((m) => created.has(m.role) || created.has(m.member));
  const present = await existing(
    'SELECT rolname AS n FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])',
    grants.flatMap((m) => [m.role, m.member, ...(m.grantor ? [m.grantor] : [])]),
  );
  for (const m of grants) {
    if (!present.has(m.role) || !present.has(m.member)) continue;
    const grantor = m.grantor && present.has(m.grantor) ? ` GRANTED BY ${quoteIdent(m.grantor)}` : '';
    await run(
      session,
      [
        `GRANT ${quoteIdent(m.role)} TO ${quoteIdent(m.member)}${m.admin ? ' WITH ADMIN OPTION' : ''}${grantor}`,
      ],
      `granting role ${m.role} to ${m.member}`,
    );
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
  return (
    `globals: created roles: ${list(r.createdRoles)}; roles that already existed, left unchanged: ${list(r.existingRoles)}; ` +
    `${r.memberships} memberships granted; created tablespaces: ${list(r.createdTablespaces)}; ` +
    `tablespaces that already existed, left unchanged: ${list(r.existingTablespaces)}`
  );
}

function createRole(r: PgRole): string {
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
  return `CREATE ROLE ${quoteIdent(r.name)} WITH ${attrs.join(' ')}`;
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
