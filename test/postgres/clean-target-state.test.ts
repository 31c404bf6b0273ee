// --clean over a target that differs from the archive in what the drops of
// the archived objects do not reach: default privileges (ALTER DEFAULT
// PRIVILEGES) the target has and the archive does not, and objects named by a
// role that --map-role renames (a user mapping is dropped by its mapped role).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import { expectSameDatabase, loadParityFixtures, schemaEntries } from './parity.js';
import { backupToMemory, restoreFromMemory } from './support.js';

const made: TestPgDatabase[] = [];
const fresh = async (prefix: string) => {
  const db = await createPgDatabase(prefix);
  made.push(db);
  return db;
};
afterAll(async () => {
  await Promise.all(made.map((db) => db.drop().catch(() => {})));
});

const EXTRA = 'stowage_parity_dp_extra';

describe('--clean resets the default privileges of the target', () => {
  let source: TestPgDatabase;
  let backup: Awaited<ReturnType<typeof backupToMemory>>;

  beforeAll(async () => {
    source = await fresh('clean_dp_src');
    await loadParityFixtures(source.url, ['34-default-privileges.sql']);
    await withPgClient(pgUrl(), (c) =>
      c.query(`DO $$ BEGIN CREATE ROLE ${EXTRA}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`),
    );
    backup = await backupToMemory(source.url, {}, 2);
  });

  /** Default privileges the archive does not have: added to a global setting it has, a global one it lacks, and per schema. */
  const drift = (url: string) =>
    withPgClient(url, (c) =>
      c.query(`
        ALTER DEFAULT PRIVILEGES FOR ROLE stowage_parity_dp_owner GRANT UPDATE ON TABLES TO ${EXTRA};
        ALTER DEFAULT PRIVILEGES FOR ROLE stowage_parity_dp_owner GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
        ALTER DEFAULT PRIVILEGES FOR ROLE ${EXTRA} REVOKE USAGE ON TYPES FROM PUBLIC;
        ALTER DEFAULT PRIVILEGES FOR ROLE ${EXTRA} IN SCHEMA public GRANT SELECT ON TABLES TO stowage_parity_dp_reader;
        ALTER DEFAULT PRIVILEGES FOR ROLE stowage_parity_dp_owner IN SCHEMA "Default Privs"
          GRANT DELETE ON TABLES TO ${EXTRA};`),
    );

  it('over an earlier restore whose default privileges were changed since', async () => {
    const target = await fresh('clean_dp_target');
    await restoreFromMemory(target.url, backup, {}, 2);
    await drift(target.url);
    expect(schemaEntries(target.url)).not.toEqual(schemaEntries(source.url));
    await restoreFromMemory(target.url, backup, { clean: true }, 2);
    await expectSameDatabase(target.url, source.url);
  });

  it('in a single transaction too', async () => {
    const target = await fresh('clean_dp_target_tx');
    await restoreFromMemory(target.url, backup, {}, 2);
    await drift(target.url);
    await restoreFromMemory(target.url, backup, { clean: true, singleTransaction: true }, 1);
    await expectSameDatabase(target.url, source.url);
  });

  it('--no-acl leaves the default privileges of the target alone', async () => {
    const target = await fresh('clean_dp_target_noacl');
    await restoreFromMemory(target.url, backup, {}, 2);
    await drift(target.url);
    const before = await defaultAcls(target.url);
    await restoreFromMemory(target.url, backup, { clean: true, acl: false }, 2);
    expect(await defaultAcls(target.url)).toEqual(before);
  });

  it('a restore of some schemas resets only those schemas', async () => {
    const target = await fresh('clean_dp_target_some');
    await restoreFromMemory(target.url, backup, {}, 2);
    await drift(target.url);
    await restoreFromMemory(target.url, backup, { clean: true, includeSchemas: ['Default Privs'] }, 2);
    const perSchema = async (url: string, schema: string) =>
      (await defaultAcls(url)).filter((a) => a.schema === schema);
    // Those of public (a schema the restore leaves alone) stay as the target had them; "Default Privs" is the archive's again.
    expect(await perSchema(target.url, 'public')).toEqual([
      {
        role: EXTRA,
        schema: 'public',
        type: 'r',
        acl: `{stowage_parity_dp_reader=r/${EXTRA}}`,
      },
    ]);
    expect(await perSchema(target.url, 'Default Privs')).toEqual(
      await perSchema(source.url, 'Default Privs'),
    );
  });

  it('an archive of some schemas leaves the settings for all schemas alone', async () => {
    const partial = await backupToMemory(source.url, { includeSchemas: ['Default Privs'] }, 1);
    const target = await fresh('clean_dp_target_partial');
    await restoreFromMemory(target.url, backup, {}, 2);
    await drift(target.url);
    const global = async (url: string) => (await defaultAcls(url)).filter((a) => a.schema === null);
    const before = await global(target.url);
    await restoreFromMemory(target.url, partial, { clean: true }, 2);
    expect(await global(target.url)).toEqual(before);
  });
});

describe('--clean by a restoring user who is no superuser', () => {
  const tag = Math.random().toString(16).slice(2, 8);
  const user = `stowage_parity_np_${tag}`;
  const other = `stowage_parity_npo_${tag}`;
  const password = 'np-test-only';
  const as = (db: TestPgDatabase) => {
    const url = new URL(db.url);
    url.username = user;
    url.password = password;
    return url.toString();
  };
  afterAll(async () => {
    await Promise.all(made.map((db) => db.drop().catch(() => {})));
    made.length = 0;
    await withPgClient(pgUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${user}, ${other}`));
  });

  it('resets the settings of its own roles and names those of roles it cannot act for', async () => {
    await withPgClient(pgUrl(), (c) =>
      c.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'; CREATE ROLE ${other} NOLOGIN;`),
    );
    const source = await fresh('clean_np_src');
    const target = await fresh('clean_np_target');
    for (const db of [source, target])
      await withPgClient(pgUrl(), (c) => c.query(`ALTER DATABASE ${db.name} OWNER TO ${user}`));
    await withPgClient(as(source), (c) =>
      c.query(`CREATE SCHEMA app; CREATE TABLE app.t (id int);
        ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;`),
    );
    const backup = await backupToMemory(as(source), {}, 1);
    await restoreFromMemory(as(target), backup, {}, 1);
    await withPgClient(target.url, (c) =>
      c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${user} IN SCHEMA app GRANT INSERT ON TABLES TO PUBLIC;
        ALTER DEFAULT PRIVILEGES FOR ROLE ${other} IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;`),
    );
    const result = await restoreFromMemory(as(target), backup, { clean: true }, 1);
    expect(result.warnings).toContain(
      `default privileges of ${other} left as the target had them (--clean): the restoring user is not a member of that role`,
    );
    const perRole = async (url: string) => (await defaultAcls(url)).map(({ role, acl }) => ({ role, acl }));
    expect(await perRole(target.url)).toEqual([
      { role: user, acl: `{=r/${user}}` },
      { role: other, acl: `{=r/${other}}` },
    ]);
  });
});

/** pg_default_acl, by name. */
async function defaultAcls(url: string) {
  return withPgClient(url, async (c) => {
    const { rows } = await c.query<{ role: string; schema: string | null; type: string; acl: string }>(
      `SELECT pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype AS type,
         d.defaclacl::text AS acl
       FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3`,
    );
    return rows;
  });
}

describe('--clean with --map-role', () => {
  const MAPPED = 'stowage_parity_fdw_mapped';

  it('drops a user mapping by the mapped role before recreating it', async () => {
    const source = await fresh('clean_map_src');
    await loadParityFixtures(source.url, ['30-foreign-data.sql']);
    await withPgClient(pgUrl(), (c) =>
      c.query(`DO $$ BEGIN CREATE ROLE ${MAPPED}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`),
    );
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await fresh('clean_map_target');
    const options = { mapRoles: { stowage_parity_fdw_user: MAPPED } };
    await restoreFromMemory(target.url, backup, options, 2);
    await restoreFromMemory(target.url, backup, { ...options, clean: true }, 2);
    await withPgClient(target.url, async (c) => {
      const { rows } = await c.query<{ usename: string; options: string[] | null }>(
        `SELECT usename, umoptions AS options FROM pg_user_mappings WHERE srvname = 'Remote Shop' ORDER BY 1`,
      );
      expect(rows).toEqual([
        { usename: 'public', options: ['user=anon'] },
        { usename: MAPPED, options: ['user=shop_reader', 'password=not-a-real-secret'] },
      ]);
    });
  });
});
