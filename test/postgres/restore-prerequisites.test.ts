import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreWritePlan } from '../../src/engines/engine.js';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import { StowageError } from '../../src/errors.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory } from './support.js';

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
    schema.objects.unshift({
      id: 'extension:stowage_no_such_extension',
      kind: 'extension',
      section: 'pre-data',
      schema: 'public',
      name: 'stowage_no_such_extension',
      sql: ['CREATE EXTENSION IF NOT EXISTS stowage_no_such_extension WITH SCHEMA public'],
      deps: [],
    });
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
