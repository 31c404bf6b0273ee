import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreWritePlan } from '../../src/engines/engine.js';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { StowageError } from '../../src/errors.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory, missingExtension } from './support.js';

// The refusal checks of a PostgreSQL restore run before anything is written and
// before the caller's beforeWrite (where the safety backup is taken).

let source: TestPgDatabase;
let target: TestPgDatabase;
beforeAll(async () => {
  source = await createPgDatabase('prereq_src');
  target = await createPgDatabase('prereq_dst');
  const sql = `CREATE TABLE items (id int PRIMARY KEY, name text);
    INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10) g;`;
  await withPgClient(source.url, (c) => c.query(sql));
  await withPgClient(target.url, (c) =>
    c.query("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'mine')"),
  );
});
afterAll(async () => {
  await source?.drop().catch(() => {});
  await target?.drop().catch(() => {});
});

describe('restore prerequisites', () => {
  it('an extension the target cannot install is refused before beforeWrite and before --clean drops anything', async () => {
    const backup = await backupToMemory(source.url);
    const schema = backup.result.schema as { objects: Record<string, unknown>[] };
    schema.objects.unshift({ ...missingExtension() });
    const plans: RestoreWritePlan[] = [];
    const error = await postgresEngine
      .restore({
        url: target.url,
        streams: backup.streams.reader(),
        schema,
        jobs: 1,
        options: { clean: true },
        progress: () => {},
        beforeWrite: async (plan) => {
          plans.push(plan);
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StowageError);
    expect((error as StowageError).code).toBe('pg-missing-extension');
    expect((error as Error).message).toMatch(/cannot install extension stowage_no_such_extension/);
    expect(plans).toEqual([]);
    const rows = await withPgClient(target.url, async (c) => (await c.query('SELECT name FROM items')).rows);
    expect(rows).toEqual([{ name: 'mine' }]);
  });

  it('beforeWrite names the existing tables a --clean restore replaces, and can stop it with nothing written', async () => {
    const backup = await backupToMemory(source.url);
    const plans: RestoreWritePlan[] = [];
    const error = await postgresEngine
      .restore({
        url: target.url,
        streams: backup.streams.reader(),
        schema: backup.result.schema,
        jobs: 1,
        options: { clean: true },
        progress: () => {},
        beforeWrite: async (plan) => {
          plans.push(plan);
          throw new StowageError('interrupted', 'declined');
        },
      })
      .catch((e: unknown) => e);
    expect((error as StowageError).message).toBe('declined');
    expect(plans).toEqual([
      {
        units: ['public.items'],
        replaced: ['public.items'],
        backupOptions: { includeTables: ['public.items'] },
      },
    ]);
    const rows = await withPgClient(target.url, async (c) => (await c.query('SELECT name FROM items')).rows);
    expect(rows).toEqual([{ name: 'mine' }]);
  });
});

describe('user mappings and roles', () => {
  it('a user mapping for a role the target lacks stops the restore first; --map-role moves it', async () => {
    const db = await createPgDatabase('prereq_um_src');
    const role = `stowage_parity_um_${Date.now().toString(36)}`;
    try {
      await withPgClient(db.url, (c) =>
        c.query(`CREATE ROLE ${role};
          CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w;
          CREATE USER MAPPING FOR ${role} SERVER s OPTIONS (user 'remote');`),
      );
      const backup = await backupToMemory(db.url);
      const ghost = `${role}_ghost`;
      const missing = await createPgDatabase('prereq_um_missing');
      try {
        const { restoreFromMemory } = await import('./support.js');
        await expect(
          restoreFromMemory(missing.url, backup, { mapRoles: { [role]: ghost } }),
        ).rejects.toMatchObject({
          code: 'pg-missing-roles',
          message: expect.stringContaining(`${ghost} (mapped from ${role})`),
        });
        await withPgClient(missing.url, async (c) => {
          expect((await c.query('SELECT count(*)::int AS n FROM pg_foreign_server')).rows).toEqual([
            { n: 0 },
          ]);
        });
        await restoreFromMemory(missing.url, backup, { mapRoles: { [role]: 'postgres' } });
        await withPgClient(missing.url, async (c) => {
          const { rows } = await c.query('SELECT usename, umoptions FROM pg_user_mappings');
          expect(rows).toEqual([{ usename: 'postgres', umoptions: ['user=remote'] }]);
        });
      } finally {
        await missing.drop();
      }
    } finally {
      await db.drop();
      await withPgClient(db.url.replace(/\/[^/?]*(\?|$)/, '/postgres$1'), (c) =>
        c.query(`DROP ROLE IF EXISTS ${role}`),
      ).catch(() => {});
    }
  });

  it('a restore refused while it is planned leaves no connection to the target behind', async () => {
    // The first connection opens while the archive is planned: a refusal there closes it again.
    const backup = await backupToMemory(source.url);
    const { restoreFromMemory } = await import('./support.js');
    const sessions = () =>
      withPgClient(source.url, async (c) => {
        const { rows } = await c.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [target.name],
        );
        return Number(rows[0]?.n);
      });
    const err = await restoreFromMemory(target.url, backup, { schemaOnly: true, dataOnly: true }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/schema-only and data-only exclude each other/);
    expect(await sessions()).toBe(0);
  });
});
