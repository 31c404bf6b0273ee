// Globals beyond creating what is missing: PostgreSQL 16+ membership options
// (INHERIT, SET, ADMIN, one grant per grantor) on a private PostgreSQL 16
// server, what an older target cannot keep of them, and roles that already
// exist: reported with how they differ, or made to match with
// alterExistingRoles (--alter-existing-roles).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { withPgClient } from '../support/pg.js';
import { installedPgVersions, type RunningPg, startPgVersion } from '../support/pg-versions.js';
import { pgUrl } from '../support/servers.js';
import { backupToMemory, restoreFromMemory } from './support.js';

type Backup = Awaited<ReturnType<typeof backupToMemory>>;

/** The archive cut down to `names`' roles and memberships: servers hold other roles. */
function only(backup: Backup, names: string[]): Backup {
  const schema = backup.result.schema as PostgresSchema;
  const globals = schema.globals;
  if (!globals) throw new Error('no globals in the archive');
  return {
    ...backup,
    result: {
      ...backup.result,
      schema: {
        ...schema,
        globals: {
          roles: globals.roles.filter((r) => names.includes(r.name)),
          memberships: globals.memberships.filter((m) => names.includes(m.member)),
          tablespaces: [],
        },
      },
    },
  };
}

/** pg_auth_members of `names`' roles, by name, with the 16+ options when the server has them. */
async function memberships(url: string, names: string[]) {
  return withPgClient(url, async (c) => {
    const { rows: v } = await c.query<{ n: number }>(
      `SELECT current_setting('server_version_num')::int AS n`,
    );
    const options = (v[0]?.n ?? 0) >= 160000 ? ', m.inherit_option AS inherit, m.set_option AS set' : '';
    const { rows } = await c.query(
      `SELECT pg_get_userbyid(m.roleid) AS role, pg_get_userbyid(m.member) AS member,
         pg_get_userbyid(m.grantor) AS grantor, m.admin_option AS admin${options}
       FROM pg_auth_members m WHERE pg_get_userbyid(m.member) = ANY($1) ORDER BY 1, 2, 3`,
      [names],
    );
    return rows;
  });
}

const pg16 = installedPgVersions().find((i) => i.major === '16');

describe.skipIf(!pg16)('globals: PostgreSQL 16 membership options', { timeout: 120_000 }, () => {
  let server: RunningPg;
  const names = ['g_group', 'g_admin', 'g_plain', 'g_noinherit', 'g_byadmin'];
  let backup: Backup;
  let recorded: unknown[];

  beforeAll(async () => {
    server = await startPgVersion(pg16 as NonNullable<typeof pg16>);
    await withPgClient(server.url, (c) =>
      c.query(`
        CREATE ROLE g_group NOLOGIN;
        CREATE ROLE g_admin LOGIN; CREATE ROLE g_plain LOGIN NOINHERIT; CREATE ROLE g_noinherit LOGIN;
        CREATE ROLE g_byadmin LOGIN;
        GRANT g_group TO g_admin WITH ADMIN OPTION, INHERIT FALSE;
        GRANT g_group TO g_plain;
        GRANT g_group TO g_noinherit WITH INHERIT FALSE, SET FALSE;
        -- Granted by a role that holds ADMIN on g_group (not a superuser), and once more by the superuser.
        GRANT g_group TO g_byadmin WITH SET FALSE GRANTED BY g_admin;
        GRANT g_group TO g_byadmin WITH INHERIT TRUE;`),
    );
    recorded = await memberships(server.url, names);
    backup = only(await backupToMemory(server.url, { globalsOnly: true }, 1), names);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('records each grant with its grantor and its ADMIN, INHERIT and SET options', () => {
    const schema = backup.result.schema as PostgresSchema;
    expect(schema.globals?.memberships).toEqual([
      { role: 'g_group', member: 'g_admin', grantor: 'postgres', admin: true, inherit: false, set: true },
      { role: 'g_group', member: 'g_byadmin', grantor: 'g_admin', admin: false, inherit: true, set: false },
      { role: 'g_group', member: 'g_byadmin', grantor: 'postgres', admin: false, inherit: true, set: true },
      {
        role: 'g_group',
        member: 'g_noinherit',
        grantor: 'postgres',
        admin: false,
        inherit: false,
        set: false,
      },
      { role: 'g_group', member: 'g_plain', grantor: 'postgres', admin: false, inherit: false, set: true },
    ]);
  });

  it('restores them as they were into a server without the roles', async () => {
    await withPgClient(server.url, (c) => c.query(`DROP ROLE ${[...names].reverse().join(', ')}`));
    expect(await memberships(server.url, names)).toEqual([]);
    const result = await restoreFromMemory(server.url, backup, {}, 1);
    expect(result.warnings.join('\n')).toMatch(/5 memberships granted/);
    expect(await memberships(server.url, names)).toEqual(recorded);
  });

  it('reports memberships held with other options, and sets them with alterExistingRoles', async () => {
    await withPgClient(server.url, (c) =>
      c.query(`
        GRANT g_group TO g_noinherit WITH INHERIT TRUE, SET TRUE;
        REVOKE ADMIN OPTION FOR g_group FROM g_admin CASCADE; -- and so the grant g_admin made
        GRANT g_group TO g_plain WITH ADMIN OPTION;`),
    );
    const changed = await memberships(server.url, names);
    const reported = await restoreFromMemory(server.url, backup, {}, 1);
    const said = reported.warnings.join('\n');
    expect(said).toContain('the membership of g_noinherit in g_group lacks INHERIT FALSE, SET FALSE');
    expect(said).toContain('the membership of g_admin in g_group lacks ADMIN OPTION');
    expect(said).toContain('the membership of g_plain in g_group has an ADMIN OPTION the archive lacks');
    expect(said).toContain('role g_byadmin is not a member of g_group granted by g_admin as archived');
    expect(await memberships(server.url, names)).toEqual(changed);

    const altered = await restoreFromMemory(server.url, backup, { alterExistingRoles: true }, 1);
    expect(altered.warnings.join('\n')).toMatch(/3 memberships granted/);
    // All as archived but the ADMIN OPTION the archive lacks: nothing is revoked.
    expect(await memberships(server.url, names)).toEqual(
      recorded.map((m) =>
        (m as { member: string }).member === 'g_plain' ? { ...(m as object), admin: true } : m,
      ),
    );
  });

  it('into PostgreSQL 15: granted with what 15 can hold, naming what it cannot', async () => {
    const tag = randomBytes(3).toString('hex');
    const renamed = names.map((n) => `${n}_${tag}`);
    const rename = (n: string | null) => (n && names.includes(n) ? `${n}_${tag}` : n);
    const schema = backup.result.schema as PostgresSchema;
    const globals = schema.globals as NonNullable<PostgresSchema['globals']>;
    const into15: Backup = {
      ...backup,
      result: {
        ...backup.result,
        schema: {
          ...schema,
          globals: {
            roles: globals.roles.map((r) => ({ ...r, name: rename(r.name) as string })),
            memberships: globals.memberships.map((m) => ({
              ...m,
              role: rename(m.role) as string,
              member: rename(m.member) as string,
              grantor: rename(m.grantor),
            })),
            tablespaces: [],
          },
        },
      },
    };
    try {
      const result = await restoreFromMemory(pgUrl(), into15, {}, 1);
      const said = result.warnings.join('\n');
      expect(said).toContain(
        `the membership of g_noinherit_${tag} in g_group_${tag} is granted without INHERIT FALSE and SET FALSE (PostgreSQL 16+)`,
      );
      expect(said).toContain(
        `the membership of g_admin_${tag} in g_group_${tag} is granted without INHERIT FALSE`,
      );
      // g_plain is NOINHERIT: its membership does what the archive says without the option.
      expect(said).not.toContain(`g_plain_${tag} in`);
      expect(await memberships(pgUrl(), renamed)).toEqual([
        { role: `g_group_${tag}`, member: `g_admin_${tag}`, grantor: 'postgres', admin: true },
        // One membership per member before 16: the first archived grant (by g_admin) gives it.
        { role: `g_group_${tag}`, member: `g_byadmin_${tag}`, grantor: `g_admin_${tag}`, admin: false },
        { role: `g_group_${tag}`, member: `g_noinherit_${tag}`, grantor: 'postgres', admin: false },
        { role: `g_group_${tag}`, member: `g_plain_${tag}`, grantor: 'postgres', admin: false },
      ]);
    } finally {
      await withPgClient(pgUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${[...renamed].reverse().join(', ')}`));
    }
  });
});

describe('globals: roles that already exist', () => {
  const tag = randomBytes(3).toString('hex');
  const app = `stowage_parity_ex_app_${tag}`;
  const team = `stowage_parity_ex_team_${tag}`;
  const mine = [app, team];
  let backup: Backup;
  let archived: Awaited<ReturnType<typeof facts>>;

  const facts = () =>
    withPgClient(pgUrl(), async (c) => {
      const { rows } = await c.query(
        `SELECT r.rolname, r.rolcanlogin, r.rolcreatedb, r.rolconnlimit,
           (SELECT setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0) AS settings,
           shobj_description(r.oid, 'pg_authid') AS comment
         FROM pg_roles r WHERE r.rolname = ANY($1) ORDER BY 1`,
        [mine],
      );
      return rows;
    });

  beforeAll(async () => {
    await withPgClient(pgUrl(), (c) =>
      c.query(`
        CREATE ROLE ${team} NOLOGIN;
        CREATE ROLE ${app} LOGIN CREATEDB CONNECTION LIMIT 5;
        ALTER ROLE ${app} SET work_mem = '8MB';
        COMMENT ON ROLE ${app} IS 'the app';
        GRANT ${team} TO ${app};`),
    );
    backup = only(await backupToMemory(pgUrl(), { globalsOnly: true }, 1), mine);
    archived = await facts();
  });
  afterAll(async () => {
    await withPgClient(pgUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${app}, ${team}`));
  });

  /** The target's roles drift from the archive: other attributes, no setting, no comment, no membership. */
  const drift = () =>
    withPgClient(pgUrl(), (c) =>
      c.query(`
        ALTER ROLE ${app} NOLOGIN NOCREATEDB CONNECTION LIMIT -1;
        ALTER ROLE ${app} RESET ALL;
        COMMENT ON ROLE ${app} IS NULL;
        REVOKE ${team} FROM ${app};`),
    );

  it('are reported with how they differ from the archive, and left as they are', async () => {
    await drift();
    const drifted = await facts();
    expect(drifted).not.toEqual(archived);
    const result = await restoreFromMemory(pgUrl(), backup, {}, 1);
    const said = result.warnings.join('\n');
    expect(said).toContain(
      `role ${app} differs from the archive in CREATEDB, LOGIN, CONNECTION LIMIT, settings, comment`,
    );
    expect(said).toContain(`role ${app} is not a member of ${team} granted by postgres as archived`);
    expect(said).toContain('--alter-existing-roles');
    expect(await facts()).toEqual(drifted);
    expect(await memberships(pgUrl(), [app])).toEqual([]);
  });

  it('are made to match the archive with alterExistingRoles', async () => {
    await drift();
    const result = await restoreFromMemory(pgUrl(), backup, { alterExistingRoles: true }, 1);
    expect(result.warnings.join('\n')).toContain(`existing roles made to match the archive: ${app}`);
    expect(await facts()).toEqual(archived);
    expect(await memberships(pgUrl(), [app])).toMatchObject([{ role: team, member: app }]);
    // Nothing left to report the second time.
    const again = await restoreFromMemory(pgUrl(), backup, { alterExistingRoles: true }, 1);
    expect(again.warnings.join('\n')).not.toContain('differs from the archive');
    expect(again.warnings.join('\n')).not.toContain('made to match');
  });

  it('never alter the restoring user', async () => {
    const schema = backup.result.schema as PostgresSchema;
    const globals = schema.globals as NonNullable<PostgresSchema['globals']>;
    const me = (await withPgClient(pgUrl(), (c) => c.query<{ me: string }>('SELECT current_user AS me')))
      .rows[0]?.me as string;
    const self = {
      ...(globals.roles[0] as (typeof globals.roles)[number]),
      name: me,
      superuser: false,
      connectionLimit: 1,
    };
    const archive: Backup = {
      ...backup,
      result: { ...backup.result, schema: { ...schema, globals: { ...globals, roles: [self] } } },
    };
    const result = await restoreFromMemory(pgUrl(), archive, { alterExistingRoles: true }, 1);
    expect(result.warnings.join('\n')).toContain(`role ${me} differs from the archive in SUPERUSER`);
    expect(result.warnings.join('\n')).toContain('(the restoring user: never altered)');
    const { rows } = await withPgClient(pgUrl(), (c) =>
      c.query('SELECT rolsuper, rolconnlimit FROM pg_roles WHERE rolname = current_user'),
    );
    expect(rows).toEqual([{ rolsuper: true, rolconnlimit: -1 }]);
  });
});
