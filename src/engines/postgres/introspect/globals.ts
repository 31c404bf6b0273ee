import type { PgSession } from '../connect.js';
import type { PgGlobals, PgMembership, PgRole, PgTablespace } from '../model.js';
import { aclJson } from './sql.js';

/**
 * The server's global objects, as `pg_dumpall --globals-only` takes them:
 * roles (but the built-in `pg_*` ones) with their attributes, settings and
 * comments, role memberships, and tablespaces (but the two built-in ones).
 * Password hashes are read only when asked (`pg_authid` needs a superuser).
 */
export async function readGlobals(session: PgSession, withPasswords: boolean): Promise<PgGlobals> {
  const roleTable = withPasswords ? 'pg_catalog.pg_authid' : 'pg_catalog.pg_roles';
  const roles = await session.query<{
    name: string;
    su: boolean;
    inherit: boolean;
    createrole: boolean;
    createdb: boolean;
    login: boolean;
    replication: boolean;
    bypassrls: boolean;
    connlimit: number;
    valid_until: string | null;
    password: string | null;
    comment: string | null;
    settings: string[] | null;
  }>(
    `SELECT r.rolname AS name, r.rolsuper AS su, r.rolinherit AS inherit, r.rolcreaterole AS createrole,
       r.rolcreatedb AS createdb, r.rolcanlogin AS login, r.rolreplication AS replication,
       r.rolbypassrls AS bypassrls, r.rolconnlimit AS connlimit, r.rolvaliduntil::text AS valid_until,
       ${withPasswords ? 'r.rolpassword' : 'NULL::text'} AS password,
       pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment,
       (SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0) AS settings
     FROM ${roleTable} r WHERE r.rolname !~ '^pg_' ORDER BY r.rolname`,
    [],
    withPasswords ? 'reading roles with their passwords (needs a superuser)' : 'reading roles',
  );
  // PostgreSQL 16 gave each membership its INHERIT and SET options (and one row per grantor).
  const { rows: version } = await session.query<{ n: number }>(
    `SELECT pg_catalog.current_setting('server_version_num')::int AS n`,
  );
  const options = (version[0]?.n ?? 0) >= 160000;
  const memberships = await session.query<PgMembership & { inherit: boolean | null; set: boolean | null }>(
    `SELECT pg_catalog.pg_get_userbyid(m.roleid) AS role, pg_catalog.pg_get_userbyid(m.member) AS member,
       CASE WHEN m.grantor <> 0 THEN pg_catalog.pg_get_userbyid(m.grantor) END AS grantor, m.admin_option AS admin,
       ${options ? 'm.inherit_option' : 'NULL::bool'} AS inherit, ${options ? 'm.set_option' : 'NULL::bool'} AS set
     FROM pg_catalog.pg_auth_members m
     JOIN pg_catalog.pg_roles r ON r.oid = m.roleid JOIN pg_catalog.pg_roles mr ON mr.oid = m.member
     WHERE mr.rolname !~ '^pg_' ORDER BY 1, 2, 3`,
    [],
    'reading role memberships',
  );
  const tablespaces = await session.query<{
    name: string;
    owner: string;
    location: string;
    options: string[] | null;
    acl: PgTablespace['acl'];
    comment: string | null;
  }>(
    `SELECT t.spcname AS name, pg_catalog.pg_get_userbyid(t.spcowner) AS owner,
       pg_catalog.pg_tablespace_location(t.oid) AS location, t.spcoptions AS options,
       ${aclJson('t.spcacl')} AS acl, pg_catalog.shobj_description(t.oid, 'pg_tablespace') AS comment
     FROM pg_catalog.pg_tablespace t WHERE t.spcname !~ '^pg_' ORDER BY t.spcname`,
    [],
    'reading tablespaces',
  );
  return {
    roles: roles.rows.map(
      (r): PgRole => ({
        name: r.name,
        superuser: r.su,
        inherit: r.inherit,
        createRole: r.createrole,
        createDb: r.createdb,
        login: r.login,
        replication: r.replication,
        bypassRls: r.bypassrls,
        connectionLimit: Number(r.connlimit),
        validUntil: r.valid_until,
        ...(withPasswords ? { password: r.password } : {}),
        comment: r.comment,
        settings: r.settings ?? [],
      }),
    ),
    memberships: memberships.rows.map(({ inherit, set, ...m }) =>
      inherit === null || set === null ? m : { ...m, inherit, set },
    ),
    tablespaces: tablespaces.rows.map((t) => ({ ...t, options: t.options ?? [] })),
  };
}
