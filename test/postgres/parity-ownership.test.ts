// Owners, grants, missing roles and extensions, database properties with
// --create, and globals (roles, tablespaces): fixture 40-ownership.sql restored
// through pg_restore and through Stowage must give the same pg_dump entries.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgObject, PostgresSchema } from '../../src/engines/postgres/model.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import { expectStowageParity, loadParityFixtures, pgRoundTrip, schemaEntries } from './parity.js';
import { backupToMemory, restoreFromMemory, tableChecksums } from './support.js';

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
    const missing: PgObject = {
      id: 'extension:stowage_no_such_extension',
      kind: 'extension',
      section: 'pre-data',
      schema: 'public',
      name: 'stowage_no_such_extension',
      sql: ['CREATE EXTENSION IF NOT EXISTS stowage_no_such_extension WITH SCHEMA public'],
      deps: [],
    };
    schema.objects.unshift(missing);
    const error = await restoreFromMemory(
      target.url,
      { ...backup, result: { ...backup.result, schema } },
      {},
      1,
    ).catch((e: unknown) => e as { code: string; message: string; hint: string });
    expect(error).toMatchObject({ code: 'pg-missing-extension' });
    expect((error as { message: string }).message).toContain('stowage_no_such_extension');
    expect((error as { hint: string }).hint).toMatch(/^install stowage_no_such_extension/);
    await withPgClient(target.url, async (client) => {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'Owned Stuff'`,
      );
      expect(rows).toEqual([{ n: 0 }]);
    });
  });
});
