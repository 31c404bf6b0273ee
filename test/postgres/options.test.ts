// Selective backup and restore, schema-only and data-only, clean and create.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { StowageError } from '../../src/errors.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import {
  backupToMemory,
  catalogSnapshot,
  loadFixtures,
  restoreFromMemory,
  sequenceValues,
  tableChecksums,
} from './support.js';

const pick = (sums: Record<string, string>, prefix: string) =>
  Object.fromEntries(Object.entries(sums).filter(([k]) => k.startsWith(prefix)));

describe('postgres engine options', () => {
  let source: TestPgDatabase;
  let full: Awaited<ReturnType<typeof backupToMemory>>;
  let sourceData: Record<string, string>;
  const created: TestPgDatabase[] = [];
  const fresh = async (prefix: string) => {
    const db = await createPgDatabase(prefix);
    created.push(db);
    return db;
  };
  /** The URL of a database the test has the restore create: dropped after the tests like the others. */
  const toBeCreated = (prefix: string) => {
    const name = `${prefix}_${Date.now().toString(36)}`;
    const url = pgUrlFor(name);
    created.push({
      name,
      url,
      drop: () =>
        withPgClient(pgUrlFor('postgres'), (c) =>
          c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
        ).then(() => {}),
    });
    return { name, url };
  };

  beforeAll(async () => {
    source = await createPgDatabase('pg_opt_src');
    await loadFixtures(source.url, ['01-', '02-', '03-']);
    full = await backupToMemory(source.url);
    sourceData = await tableChecksums(source.url);
  });
  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  it('backs up only the included schemas', async () => {
    const b = await backupToMemory(source.url, { includeSchemas: ['types'] });
    expect([...b.streams.data.keys()].sort()).toEqual(['types.all_types', 'types.oid_embedding']);
    const target = await fresh('pg_opt_schema');
    await restoreFromMemory(target.url, b);
    expect(await tableChecksums(target.url)).toEqual(pick(sourceData, 'types.'));
  });

  it('leaves out excluded tables and, with a warning, what cannot exist without them', async () => {
    const b = await backupToMemory(source.url, {
      excludeTables: ['app.customers'],
      excludeSchemas: ['Mixed*'],
    });
    expect(b.streams.data.has('app.customers')).toBe(false);
    expect(b.streams.data.has('"Mixed Case"."Order Items"')).toBe(false);
    expect(b.streams.data.has('app.orders')).toBe(true);
    const warnings = b.result.warnings.join('\n');
    expect(warnings).toMatch(/foreign-key app\.orders\.orders_customer_fk/);
    expect(warnings).toMatch(/view app\.customer_orders/);
    const target = await fresh('pg_opt_excl');
    await restoreFromMemory(target.url, b);
    const restored = await tableChecksums(target.url);
    expect(restored['app.orders']).toBe(sourceData['app.orders']);
    expect(restored['app.customers']).toBeUndefined();
  });

  it('takes a partitioned table with its partitions, and the sequences its columns own', async () => {
    const b = await backupToMemory(source.url, { includeTables: ['app.events', 'orders'] });
    expect([...b.streams.data.keys()].sort()).toEqual([
      'app.events_2023',
      'app.events_2024_info',
      'app.events_2024_other',
      'app.events_default',
      'app.orders',
    ]);
    const schema = b.result.schema as PostgresSchema;
    expect(schema.sequences.map((s) => s.name)).toEqual(['orders_id_seq']);
    const target = await fresh('pg_opt_part');
    await restoreFromMemory(target.url, b);
    const restored = await tableChecksums(target.url);
    expect(restored['app.events_2024_info']).toBe(sourceData['app.events_2024_info']);
    expect((await sequenceValues(target.url))['app.orders_id_seq']).toBe(
      (await sequenceValues(source.url))['app.orders_id_seq'],
    );
  });

  it('restores only selected tables from a full backup', async () => {
    const target = await fresh('pg_opt_rsel');
    const result = await restoreFromMemory(target.url, full, { includeTables: ['app.teams', 'app.players'] });
    expect(Object.keys(result.items).sort()).toEqual(['app.players', 'app.teams']);
    const restored = await tableChecksums(target.url);
    expect(Object.keys(restored).sort()).toEqual(['app.players', 'app.teams']);
    expect(restored['app.teams']).toBe(sourceData['app.teams']);
    // The circular foreign keys between the two came along.
    await withPgClient(target.url, async (client) => {
      await expect(client.query('INSERT INTO app.players VALUES (99, 42)')).rejects.toThrow(/foreign key/);
    });
  });

  it('schema-only, then data-only, adds up to the whole database', async () => {
    const schemaOnly = await backupToMemory(source.url, { schemaOnly: true });
    expect(schemaOnly.streams.data.size).toBe(0);
    const dataOnly = await backupToMemory(source.url, { dataOnly: true });
    expect((dataOnly.result.schema as PostgresSchema).objects.map((o) => o.kind)).toEqual([
      'refresh',
      'refresh',
    ]);
    const target = await fresh('pg_opt_split');
    await restoreFromMemory(target.url, schemaOnly);
    expect(await catalogSnapshot(target.url)).toEqual(await catalogSnapshot(source.url));
    const result = await restoreFromMemory(target.url, dataOnly);
    expect(result.warnings).toContain(
      'the archive is a data-only backup: loading it into the existing tables',
    );
    expect(await tableChecksums(target.url)).toEqual(sourceData);
    expect(await sequenceValues(target.url)).toEqual(await sequenceValues(source.url));
  });

  it('refuses a non-empty target, then replaces the archived objects with clean', async () => {
    const target = await fresh('pg_opt_clean');
    await restoreFromMemory(target.url, full);
    await withPgClient(target.url, (c) =>
      c.query(`INSERT INTO app.teams VALUES (77, NULL); CREATE TABLE public.unrelated (x int)`),
    );
    const err = await restoreFromMemory(target.url, full).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).code).toBe('pg-target-not-empty');
    expect((err as StowageError).message).toMatch(/is not empty/);
    expect((err as StowageError).hint).toMatch(/--clean/);
    await restoreFromMemory(target.url, full, { clean: true });
    const restored = await tableChecksums(target.url);
    expect(restored['public.unrelated']).toBe('0:-');
    delete restored['public.unrelated'];
    expect(restored).toEqual(sourceData);
  });

  it('data-only with clean empties the tables first, loading in foreign-key order (cycles together)', async () => {
    const target = await fresh('pg_opt_dataclean');
    await restoreFromMemory(target.url, full);
    await restoreFromMemory(target.url, full, { dataOnly: true, clean: true }, 3);
    expect(await tableChecksums(target.url)).toEqual(sourceData);
    // Without clean the rows are already there.
    const err = await restoreFromMemory(target.url, full, { dataOnly: true }).catch((e: unknown) => e);
    expect((err as StowageError).message).toMatch(
      /duplicate key value .*already applied: data \d+\/25 tables/,
    );
    // With triggers off, order does not matter.
    await restoreFromMemory(target.url, full, { dataOnly: true, clean: true, disableTriggers: true }, 3);
    expect(await tableChecksums(target.url)).toEqual(sourceData);
  });

  it('data-only into a database without the tables says so', async () => {
    const target = await fresh('pg_opt_notables');
    const err = await restoreFromMemory(target.url, full, { dataOnly: true }).catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('pg-missing-table');
    expect((err as StowageError).hint).toMatch(/schema/);
  });

  it('creates a missing database with create, and says how when it is missing', async () => {
    const { name, url } = toBeCreated('pg_opt_create');
    const err = await restoreFromMemory(url, full).catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('pg-no-database');
    expect((err as StowageError).hint).toMatch(/--create/);
    const connect = vi.spyOn(pg.Client.prototype, 'connect');
    const query = vi.spyOn(pg.Client.prototype, 'query');
    const end = vi.spyOn(pg.Client.prototype, 'end');
    try {
      await restoreFromMemory(url, full, { create: true });
      // The missing target is created from the maintenance database, without a failed login to it first.
      expect(connect.mock.contexts.map((c) => (c as pg.Client).database).slice(0, 2)).toEqual([
        'postgres',
        name,
      ]);
      // One question about pg_database before CREATE DATABASE (the target's existence and template0's defaults together).
      const maintenance = query.mock.contexts.flatMap((c, i) =>
        (c as pg.Client).database === 'postgres' ? [String(query.mock.calls[i]?.[0])] : [],
      );
      const created = maintenance.findIndex((sql) => sql.startsWith('CREATE DATABASE'));
      expect(created).toBeGreaterThan(0);
      expect(maintenance.slice(0, created).filter((sql) => /pg_database/.test(sql))).toHaveLength(1);
      // The new database's session connects without waiting for the maintenance session to end.
      const order = (mock: { mock: { invocationCallOrder: number[]; contexts: unknown[] } }, db: string) =>
        mock.mock.invocationCallOrder[mock.mock.contexts.findIndex((c) => (c as pg.Client).database === db)];
      expect(order(connect, name)).toBeLessThan(order(end, 'postgres') as number);
      // The server's version and the restoring role are asked once, not again on the new database.
      expect(query.mock.calls.filter(([sql]) => String(sql).includes('pg_catalog.version()'))).toHaveLength(
        1,
      );
    } finally {
      connect.mockRestore();
      query.mockRestore();
      end.mockRestore();
    }
    expect(await tableChecksums(url)).toEqual(sourceData);
  });

  it('restores with create into a database that already exists (and is empty)', async () => {
    const target = await fresh('pg_opt_create_existing');
    const result = await restoreFromMemory(target.url, full, { create: true });
    expect(await tableChecksums(target.url)).toEqual(sourceData);
    expect(result.warnings.join('\n')).toMatch(/already existed/);
  });

  it('says what a schema-only backup leaves out, instead of dropping it silently', async () => {
    const db = await fresh('pg_opt_unsupported');
    await withPgClient(db.url, (c) =>
      c.query(`
        CREATE TABLE t (a int);
        SELECT lo_create(0);`),
    );
    const b = await backupToMemory(db.url);
    expect(b.result.incomplete).toEqual([]);
    expect(b.result.warnings).toEqual([]);
    // Large objects are backed up (large-objects.test.ts); a schema-only backup says it left them out.
    const schemaOnly = await backupToMemory(db.url, { schemaOnly: true });
    expect(schemaOnly.result.warnings).toContain('1 large objects not backed up (schema-only)');
  });

  it('can be cancelled', async () => {
    const controller = new AbortController();
    const { postgresEngine } = await import('../../src/engines/postgres/engine.js');
    const { MemoryStreams } = await import('../support/memory-streams.js');
    const running = postgresEngine.backup({
      url: source.url,
      streams: new MemoryStreams(),
      jobs: 2,
      options: {},
      progress: (e) => {
        if (e.type === 'phase' && e.phase === 'data') controller.abort();
      },
      signal: controller.signal,
    });
    await expect(running).rejects.toMatchObject({ code: 'interrupted', message: 'backup was cancelled' });
  });

  it('rejects contradictory options', async () => {
    await expect(backupToMemory(source.url, { schemaOnly: true, dataOnly: true })).rejects.toThrow(
      /exclude each other/,
    );
    await expect(restoreFromMemory(source.url, full, { disableTriggers: true })).rejects.toThrow(/data-only/);
  });
});
