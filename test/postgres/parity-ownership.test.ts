// Owners, grants, missing roles and extensions, database properties with
// --create, and globals (roles, tablespaces): fixture 40-ownership.sql restored
// through pg_restore and through Stowage must give the same pg_dump entries.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { printableSchema } from '../../src/engines/postgres/printable-schema.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import { expectStowageParity, loadParityFixtures, pgRoundTrip, schemaEntries } from './parity.js';
import { backupToMemory, missingExtension, restoreFromMemory, tableChecksums } from './support.js';

const FIXTURE = ['40-ownership.sql'];

describe('parity: owners and grants', () => {
  let source: TestPgDatabase;
  let backup: Awaited<ReturnType<typeof backupToMemory>>;
  const created: TestPgDatabase[] = [];
  const fresh = async (prefix: string) => {
    const db = await createPgDatabase(prefix);
    created.push(db);
    return db;
  };

  beforeAll(async () => {
    source = await createPgDatabase('parity_own_src');
    await loadParityFixtures(source.url, FIXTURE);
    backup = await backupToMemory(source.url, {}, 2);
  });
  afterAll(async () => {
    for (const db of created) await db.drop();
    await source?.drop();
  });

  it('is restored by pg_dump + pg_restore', async () => {
    const target = await fresh('parity_own_pg');
    expect(pgRoundTrip(source.url, target.url)).toEqual({ status: 0, stderr: '' });
    expect(schemaEntries(target.url)).toEqual(schemaEntries(source.url));
  });

  it('records only the changes to the public schema that CREATE DATABASE made, as pg_dump does', () => {
    const schema = backup.result.schema as PostgresSchema;
    const pub = schema.objects.find((o) => o.id === 'schema:public');
    // Not a REVOKE ALL + re-GRANT: a PostgreSQL 14 target keeps its own defaults for the rest.
    expect(pub?.acl).toEqual(['GRANT CREATE ON SCHEMA public TO stowage_parity_writer']);
    expect(pub?.owner).toEqual([]);
  });

  it("records the system catalog's changed privileges, but not with a schema selection (as pg_dump -n)", async () => {
    const ids = (schema: unknown) =>
      (schema as PostgresSchema).objects.filter((o) => o.kind === 'system-acl').map((o) => o.acl);
    expect(ids(backup.result.schema)).toEqual([
      ['REVOKE EXECUTE ON FUNCTION pg_catalog.pg_backend_pid() FROM PUBLIC'],
      ['GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_reset() TO stowage_parity_writer'],
    ]);
    const selected = await backupToMemory(source.url, { includeSchemas: ['Owned Stuff'] }, 1);
    expect(ids(selected.result.schema)).toEqual([]);
  });

  it.each([1, 4])('restores owners and grants by default (--jobs %i)', async (jobs) => {
    const target = await expectStowageParity(source.url, { jobs });
    created.push(target);
  });

  it('--no-owner --no-acl: objects belong to the restoring user, with default privileges', async () => {
    const target = await expectStowageParity(source.url, {
      jobs: 2,
      restore: { owner: false, acl: false },
      ownership: false,
    });
    created.push(target);
    await withPgClient(target.url, async (client) => {
      const { rows } = await client.query(
        `SELECT pg_get_userbyid(relowner) = current_user AS mine, relacl IS NULL AS plain
         FROM pg_class WHERE oid = '"Owned Stuff"."Ledger"'::regclass`,
      );
      expect(rows).toEqual([{ mine: true, plain: true }]);
    });
  });

  it('--no-acl alone keeps owners, drops grants', async () => {
    const target = await fresh('parity_own_noacl');
    await restoreFromMemory(target.url, backup, { acl: false }, 2);
    await withPgClient(target.url, async (client) => {
      const { rows } = await client.query(
        `SELECT pg_get_userbyid(relowner) AS owner, relacl IS NULL AS plain
         FROM pg_class WHERE oid = '"Owned Stuff"."Ledger"'::regclass`,
      );
      expect(rows).toEqual([{ owner: 'stowage_parity_owner', plain: true }]);
    });
  });

  it('--map-role gives an archived role its objects and grants to an existing role', async () => {
    const target = await fresh('parity_own_map');
    await restoreFromMemory(
      target.url,
      backup,
      {
        mapRoles: {
          stowage_parity_owner: 'stowage_parity_writer',
          stowage_parity_Reader: 'stowage_parity_writer',
        },
      },
      2,
    );
    await withPgClient(target.url, async (client) => {
      const { rows } = await client.query(
        `SELECT pg_get_userbyid(relowner) AS owner,
           has_column_privilege('stowage_parity_writer', oid, 'secret', 'SELECT') AS writer_reads,
           (SELECT count(*)::int FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.relnamespace = '"Owned Stuff"'::regnamespace
               AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = 'stowage_parity_Reader')) AS reader_grants
         FROM pg_class WHERE oid = '"Owned Stuff"."Ledger"'::regclass`,
      );
      expect(rows).toEqual([{ owner: 'stowage_parity_writer', writer_reads: true, reader_grants: 0 }]);
      const policy = await client.query(`SELECT polroles::regrole[]::text[] AS roles FROM pg_policy`);
      expect(policy.rows).toEqual([{ roles: ['stowage_parity_writer', 'stowage_parity_writer'] }]);
    });
  });

  it('missing owners and grantees stop the restore before anything is applied, listing them', async () => {
    const target = await fresh('parity_own_missing');
    const ghost = `stowage_parity_ghost_${randomBytes(4).toString('hex')}`;
    const error = await restoreFromMemory(
      target.url,
      backup,
      { mapRoles: { stowage_parity_owner: ghost, stowage_parity_Reader: `${ghost}_Too` } },
      2,
    ).catch((e: unknown) => e as { code: string; message: string; hint: string });
    expect(error).toMatchObject({ code: 'pg-missing-roles' });
    expect((error as { message: string }).message).toContain(`${ghost} (mapped from stowage_parity_owner)`);
    expect((error as { message: string }).message).toContain(
      `${ghost}_Too (mapped from stowage_parity_Reader)`,
    );
    expect((error as { hint: string }).hint).toMatch(/--no-owner --no-acl/);
    expect((error as { hint: string }).hint).toMatch(/--map-role/);
    expect((error as { hint: string }).hint).toMatch(/--globals/);
    expect(await tableChecksums(target.url)).toEqual({});
    await withPgClient(target.url, async (client) => {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'Owned Stuff'`,
      );
      expect(rows).toEqual([{ n: 0 }]);
    });
    // With --create, the database is not even created.
    const name = `parity_own_nocreate_${randomBytes(4).toString('hex')}`;
    await expect(
      restoreFromMemory(
        pgUrlFor(name),
        backup,
        { create: true, mapRoles: { stowage_parity_owner: ghost } },
        1,
      ),
    ).rejects.toMatchObject({ code: 'pg-missing-roles' });
    await withPgClient(pgUrl(), async (client) => {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [
        name,
      ]);
      expect(rows).toEqual([{ n: 0 }]);
    });
    // Without owners and grants, the same archive restores.
    await restoreFromMemory(
      target.url,
      backup,
      { owner: false, acl: false, mapRoles: { stowage_parity_owner: ghost } },
      1,
    );
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
  });

  it('an extension missing on the target stops the restore first, naming it', async () => {
    const target = await fresh('parity_own_noext');
    const schema = structuredClone(backup.result.schema) as PostgresSchema;
    const missing = missingExtension();
    schema.objects.unshift(missing);
    const error = await restoreFromMemory(
      target.url,
      { ...backup, result: { ...backup.result, schema } },
      {},
      1,
    ).catch((e: unknown) => e as { code: string; message: string; hint: string });
    expect(error).toMatchObject({ code: 'pg-missing-extension' });
    expect((error as { message: string }).message).toContain('stowage_no_such_extension');
    expect((error as { hint: string }).hint).toMatch(/install the extension packages on the target server/);
    await withPgClient(target.url, async (client) => {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'Owned Stuff'`,
      );
      expect(rows).toEqual([{ n: 0 }]);
    });
  });
});

describe('parity: the public schema with another owner', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];
  beforeAll(async () => {
    source = await createPgDatabase('parity_pub_src');
    await loadParityFixtures(source.url, ['42-public-schema-owner.sql']);
  });
  afterAll(async () => {
    for (const db of created) await db.drop();
    await source?.drop();
  });

  it('is restored by pg_dump + pg_restore', async () => {
    const target = await createPgDatabase('parity_pub_pg');
    created.push(target);
    expect(pgRoundTrip(source.url, target.url)).toEqual({ status: 0, stderr: '' });
    expect(schemaEntries(target.url)).toEqual(schemaEntries(source.url));
  });

  it.each([1, 4])('restores its owner and changed grants (--jobs %i)', async (jobs) => {
    const backup = await backupToMemory(source.url, {}, jobs);
    const pub = (backup.result.schema as PostgresSchema).objects.find((o) => o.id === 'schema:public');
    expect(pub?.owner).toEqual(['ALTER SCHEMA public OWNER TO stowage_parity_owner']);
    // Only the difference from the initdb ACL (whose pg_database_owner entries the owner change renamed).
    expect(pub?.acl).toContain('REVOKE USAGE ON SCHEMA public FROM PUBLIC');
    expect(pub?.acl?.some((s) => s.startsWith('REVOKE ALL'))).toBe(false);
    created.push(await expectStowageParity(source.url, { jobs }));
  });
});

describe('parity: a public schema dropped and made again', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];
  beforeAll(async () => {
    source = await createPgDatabase('parity_pubnew_src');
    // No longer initdb's public: its ACL is null (the owner alone), where a new database's public grants PUBLIC USAGE.
    await withPgClient(source.url, (c) =>
      c.query(
        'DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1)',
      ),
    );
  });
  afterAll(async () => {
    for (const db of created) await db.drop();
    await source?.drop();
  });

  it('is restored by pg_dump + pg_restore', async () => {
    const target = await createPgDatabase('parity_pubnew_pg');
    created.push(target);
    expect(pgRoundTrip(source.url, target.url)).toEqual({ status: 0, stderr: '' });
    expect(schemaEntries(target.url)).toEqual(schemaEntries(source.url));
  });

  it('restores it without the PUBLIC grants a new database gives its public schema', async () => {
    const target = await expectStowageParity(source.url);
    created.push(target);
    const granted = await withPgClient(target.url, (c) =>
      c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
         WHERE n.nspname = 'public' AND a.grantee = 0`,
      ),
    );
    expect(granted.rows[0]?.n).toBe(0);
  });
});

describe('parity: database properties with --create', () => {
  let source: TestPgDatabase;
  let backup: Awaited<ReturnType<typeof backupToMemory>>;
  const dropLater: string[] = [];

  beforeAll(async () => {
    source = await createPgDatabase('parity_dbprops_src');
    await loadParityFixtures(source.url, ['41-database-properties.sql']);
    backup = await backupToMemory(source.url, {}, 2);
  });
  afterAll(async () => {
    await withPgClient(pgUrl(), async (client) => {
      for (const name of dropLater) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
    await source?.drop();
  });

  /** pg_dump --create entries of `url`, with the database's name replaced by `as`. */
  const createEntries = (url: string, name: string, as: string) =>
    schemaEntries(url, { extraArgs: ['--create'] })
      .map((e) => e.replaceAll(name, as))
      .sort();

  it('is restored by pg_dump + pg_restore', async () => {
    const target = await createPgDatabase('parity_dbprops_pg');
    try {
      expect(pgRoundTrip(source.url, target.url)).toEqual({ status: 0, stderr: '' });
    } finally {
      await target.drop();
    }
  });

  it.each([1, 4])(
    'restore --create gives the new database the archived properties (--jobs %i)',
    async (jobs) => {
      const name = `parity_dbprops_new_${randomBytes(4).toString('hex')}`;
      dropLater.push(name);
      const result = await restoreFromMemory(pgUrlFor(name), backup, { create: true }, jobs);
      expect(result.warnings).toEqual([]);
      expect(createEntries(pgUrlFor(name), name, 'DB')).toEqual(createEntries(source.url, source.name, 'DB'));
      expect(await tableChecksums(pgUrlFor(name))).toEqual(await tableChecksums(source.url));
    },
  );

  it('--no-owner --no-acl with --create: settings and comment, but no owner or grants', async () => {
    const name = `parity_dbprops_plain_${randomBytes(4).toString('hex')}`;
    dropLater.push(name);
    await restoreFromMemory(pgUrlFor(name), backup, { create: true, owner: false, acl: false }, 2);
    const facts = (url: string) =>
      withPgClient(url, async (client) => {
        const { rows } = await client.query(
          `SELECT pg_get_userbyid(datdba) = current_user AS mine, datacl IS NULL AS plain, datconnlimit,
             shobj_description(d.oid, 'pg_database') AS comment,
             (SELECT array_agg(coalesce(r.rolname, '-') || ':' || array_to_string(s.setconfig, ',') ORDER BY r.rolname NULLS FIRST)
              FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE s.setdatabase = d.oid) AS settings
           FROM pg_database d WHERE datname = current_database()`,
        );
        return rows[0];
      });
    const before = await facts(source.url);
    expect(before).toMatchObject({ mine: false, plain: false });
    expect(await facts(pgUrlFor(name))).toEqual({ ...before, mine: true, plain: true });
  });

  it('into a database that already exists, leaves its properties alone and says so', async () => {
    const target = await createPgDatabase('parity_dbprops_old');
    try {
      const result = await restoreFromMemory(target.url, backup, { create: true }, 1);
      expect(result.warnings.join('\n')).toMatch(
        /already existed: its owner, settings, comment and grants were left/,
      );
      await withPgClient(target.url, async (client) => {
        const { rows } = await client.query(
          `SELECT pg_get_userbyid(datdba) = current_user AS mine, datacl IS NULL AS plain,
             (SELECT count(*)::int FROM pg_db_role_setting WHERE setdatabase = d.oid) AS settings
           FROM pg_database d WHERE datname = current_database()`,
        );
        expect(rows).toEqual([{ mine: true, plain: true, settings: 0 }]);
      });
    } finally {
      await target.drop();
    }
  });
});

describe('globals: roles', () => {
  const tag = randomBytes(4).toString('hex');
  const user = `stowage_parity_g_${tag}`;
  const group = `stowage_parity_G_Group_${tag}`;
  const mine = [user, group];
  const space = `stowage_parity_ts_${tag}`;
  let source: TestPgDatabase | undefined;
  const dropLater: string[] = [];

  const dropRoles = () =>
    withPgClient(pgUrl(), async (client) => {
      for (const name of dropLater)
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      for (const role of mine) await client.query(`DROP ROLE IF EXISTS "${role}"`);
    });

  /** Everything pg_authid, pg_auth_members, pg_db_role_setting and comments hold about our roles. */
  const roleFacts = () =>
    withPgClient(pgUrl(), async (client) => {
      const { rows } = await client.query(
        `SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication,
           r.rolbypassrls, r.rolconnlimit, r.rolpassword, r.rolvaliduntil::text AS valid,
           shobj_description(r.oid, 'pg_authid') AS comment,
           (SELECT setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0) AS settings,
           (SELECT array_agg(g.rolname || ' admin=' || m.admin_option || ' by ' || pg_get_userbyid(m.grantor) ORDER BY g.rolname)
              FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of
         FROM pg_authid r WHERE r.rolname = ANY($1) ORDER BY r.rolname`,
        [mine],
      );
      return rows;
    });

  /** The archive's globals cut down to this test's roles: the shared server has others' roles, which come and go. */
  const onlyMine = (schema: PostgresSchema): PostgresSchema => {
    const globals = schema.globals;
    if (!globals) throw new Error('no globals in the archive');
    return {
      ...schema,
      globals: {
        roles: globals.roles.filter((r) => mine.includes(r.name)),
        memberships: globals.memberships.filter((m) => mine.includes(m.member)),
        tablespaces: globals.tablespaces.filter((t) => t.name.endsWith(tag)),
      },
    };
  };

  beforeAll(async () => {
    await withPgClient(pgUrl(), async (client) => {
      await client.query(
        `DO $$ BEGIN CREATE ROLE "stowage_parity_Reader" NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      await client.query(`CREATE ROLE "${group}" NOLOGIN NOINHERIT CREATEROLE BYPASSRLS`);
      await client.query(
        `CREATE ROLE ${user} LOGIN CREATEDB CONNECTION LIMIT 3 VALID UNTIL '2031-02-03 04:05:06+00' PASSWORD 'not-a-real-secret'`,
      );
      await client.query(`ALTER ROLE ${user} SET work_mem = '16MB'`);
      await client.query(`ALTER ROLE ${user} SET search_path = "$user", public`);
      await client.query(`COMMENT ON ROLE ${user} IS 'a parity user'`);
      await client.query(`GRANT "${group}" TO ${user} WITH ADMIN OPTION`);
      await client.query(`GRANT "stowage_parity_Reader" TO ${user}`);
    });
  });
  afterAll(async () => {
    await source?.drop();
    await withPgClient(pgUrl(), (client) => client.query(`DROP TABLESPACE IF EXISTS ${space}`));
    await dropRoles();
  });

  it('--globals-only records roles like pg_dumpall; restore reports existing ones and recreates dropped ones', async () => {
    const before = await roleFacts();
    expect(before).toHaveLength(2);
    const withPasswords = await backupToMemory(pgUrl(), { globalsOnly: true, rolePasswords: true }, 1);
    const schema = withPasswords.result.schema as PostgresSchema;
    expect(schema.contents).toBe('globals');
    expect(schema.objects).toEqual([]);
    expect(withPasswords.streams.data.size).toBe(0);
    const recorded = schema.globals?.roles.find((r) => r.name === user);
    expect(recorded).toMatchObject({
      login: true,
      createDb: true,
      connectionLimit: 3,
      comment: 'a parity user',
    });
    expect(recorded?.password).toMatch(/^SCRAM-SHA-256\$|^md5/);
    // inspect shows the schema without the hashes.
    expect(JSON.stringify(printableSchema(schema))).not.toContain(recorded?.password ?? '-');
    expect(schema.globals?.memberships).toContainEqual({
      role: group,
      member: user,
      grantor: 'postgres',
      admin: true,
    });
    expect(schema.globals?.roles.some((r) => r.name.startsWith('pg_'))).toBe(false);

    // Without --role-passwords no hash is stored.
    const plain = await backupToMemory(pgUrl(), { globalsOnly: true }, 1);
    const plainRole = (plain.result.schema as PostgresSchema).globals?.roles.find((r) => r.name === user);
    expect(plainRole).toBeDefined();
    expect(plainRole?.password).toBeUndefined();
    expect(JSON.stringify(plain.result.schema)).not.toContain(recorded?.password ?? '-');

    // Into the server they came from: everything exists, nothing changes.
    const mineOnly = { ...withPasswords, result: { ...withPasswords.result, schema: onlyMine(schema) } };
    const same = await restoreFromMemory(pgUrl(), mineOnly, {}, 1);
    expect(same.warnings.join('\n')).toMatch(
      new RegExp(`roles that already existed, left unchanged: ${group}, ${user}`),
    );
    expect(same.warnings.join('\n')).toMatch(/created roles: none/);
    expect(await roleFacts()).toEqual(before);

    // Dropped, then restored: the same attributes, password hash, settings, comment and memberships.
    await dropRoles();
    expect(await roleFacts()).toEqual([]);
    const again = await restoreFromMemory(pgUrl(), mineOnly, {}, 1);
    expect(again.warnings.join('\n')).toMatch(new RegExp(`created roles: ${group}, ${user};`));
    expect(await roleFacts()).toEqual(before);
  });

  it('a database backup with --globals restores onto a server without its roles (disaster recovery)', async () => {
    await withPgClient(pgUrl(), async (client) => {
      await client.query(
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${user} LOGIN; END IF; END $$`,
      );
    });
    source = await createPgDatabase('parity_globals_src');
    await withPgClient(source.url, async (client) => {
      await client.query(`CREATE TABLE "Owned By User" (id int PRIMARY KEY)`);
      await client.query(`INSERT INTO "Owned By User" VALUES (1), (2), (3)`);
      await client.query(`ALTER TABLE "Owned By User" OWNER TO ${user}`);
      await client.query(`GRANT SELECT ON "Owned By User" TO "stowage_parity_Reader"`);
    });
    const backup = await backupToMemory(source.url, { globals: true }, 2);
    const entries = schemaEntries(source.url);
    const checksums = await tableChecksums(source.url);
    await source.drop();
    source = undefined;
    await dropRoles();
    const schema = onlyMine(backup.result.schema as PostgresSchema);
    const archive = { ...backup, result: { ...backup.result, schema } };

    const name = `parity_globals_new_${tag}`;
    dropLater.push(name);
    // Without --globals the missing owner is named up front.
    await expect(restoreFromMemory(pgUrlFor(name), archive, { create: true }, 2)).rejects.toMatchObject({
      code: 'pg-missing-roles',
      message: expect.stringContaining(user),
    });
    const result = await restoreFromMemory(pgUrlFor(name), archive, { create: true, globals: true }, 2);
    expect(result.warnings.join('\n')).toMatch(new RegExp(`created roles: [^;]*\\b${user}\\b`));
    expect(schemaEntries(pgUrlFor(name))).toEqual(entries);
    expect(await tableChecksums(pgUrlFor(name))).toEqual(checksums);
  });

  it('records tablespaces with owner, options, grants and comment, and recreates a dropped one', async () => {
    const facts = () =>
      withPgClient(pgUrl(), async (client) => {
        const { rows } = await client.query(
          `SELECT spcname, pg_get_userbyid(spcowner) AS owner, spcoptions, spcacl::text AS acl,
             shobj_description(oid, 'pg_tablespace') AS comment
           FROM pg_tablespace WHERE spcname = $1`,
          [space],
        );
        return rows;
      });
    await withPgClient(pgUrl(), async (client) => {
      // In place (inside the data directory): the test needs no directory on the server's host.
      await client.query('SET allow_in_place_tablespaces = on');
      await client.query(
        `CREATE TABLESPACE ${space} OWNER "stowage_parity_Reader" LOCATION '' WITH (random_page_cost = 1.5)`,
      );
      await client.query(`GRANT CREATE ON TABLESPACE ${space} TO PUBLIC`);
      await client.query(`COMMENT ON TABLESPACE ${space} IS 'fast disks'`);
    });
    const before = await facts();
    expect(before).toHaveLength(1);
    const backup = await backupToMemory(pgUrl(), { globalsOnly: true }, 1);
    const schema = onlyMine(backup.result.schema as PostgresSchema);
    expect(schema.globals?.tablespaces).toEqual([
      {
        name: space,
        owner: 'stowage_parity_Reader',
        location: expect.stringMatching(/^pg_tblspc\//),
        options: ['random_page_cost=1.5'],
        acl: expect.arrayContaining([expect.objectContaining({ g: 'PUBLIC', p: 'CREATE', o: false })]),
        comment: 'fast disks',
      },
    ]);
    const archive = { ...backup, result: { ...backup.result, schema } };
    const same = await restoreFromMemory(pgUrl(), archive, {}, 1);
    expect(same.warnings.join('\n')).toMatch(
      new RegExp(`tablespaces that already existed, left unchanged: ${space}$`),
    );

    await withPgClient(pgUrl(), (client) => client.query(`DROP TABLESPACE ${space}`));
    const again = await restoreFromMemory(pgUrl(), archive, {}, 1);
    expect(again.warnings.join('\n')).toMatch(new RegExp(`created tablespaces: ${space};`));
    expect(await facts()).toEqual(before);
  });

  it('restore --globals of an archive without globals is a usage error', async () => {
    const db = await createPgDatabase('parity_globals_none');
    try {
      const backup = await backupToMemory(db.url, {}, 1);
      await expect(restoreFromMemory(db.url, backup, { globals: true }, 1)).rejects.toMatchObject({
        code: 'usage',
      });
    } finally {
      await db.drop();
    }
  });

  it('a failure part-way through the globals says exactly what was already created', async () => {
    const first = `stowage_parity_pa_${tag}`;
    const second = `stowage_parity_pb_${tag}`;
    mine.push(first, second);
    const backup = await backupToMemory(pgUrl(), { globalsOnly: true }, 1);
    const role = (name: string, settings: string[]) => ({
      name,
      superuser: false,
      inherit: true,
      createRole: false,
      createDb: false,
      login: false,
      replication: false,
      bypassRls: false,
      connectionLimit: -1,
      validUntil: null,
      comment: null,
      settings,
    });
    const schema: PostgresSchema = {
      ...(backup.result.schema as PostgresSchema),
      globals: {
        roles: [role(first, []), role(second, ['work_mem=not a size'])],
        memberships: [],
        tablespaces: [],
      },
    };
    const error = await restoreFromMemory(
      pgUrl(),
      { ...backup, result: { ...backup.result, schema } },
      {},
      1,
    ).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/work_mem/);
    expect((error as Error).message).toContain(
      `already applied: globals: created roles: ${first}, ${second};`,
    );
  });
});
