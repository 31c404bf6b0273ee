// --create: CREATE DATABASE runs while the restore plans (target-creation.ts). What this run
// created goes again when the restore refuses or stops before writing into it; a database it did
// not create is never touched.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseTarget } from '../../src/engines/postgres/connect.js';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import type { PostgresRestoreOptions } from '../../src/engines/postgres/options.js';
import { openTarget } from '../../src/engines/postgres/target.js';
import { openMaintenance, TargetCreation } from '../../src/engines/postgres/target-creation.js';
import { StowageError } from '../../src/errors.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import {
  backupToMemory,
  DatabasesToCreate,
  databaseExists,
  findPgDump,
  holdName,
  missingExtension,
  pgDumpSchema,
  statementRunning,
  tableChecksums,
} from './support.js';

let source: TestPgDatabase;
let backup: Awaited<ReturnType<typeof backupToMemory>>;
const databases = new DatabasesToCreate();

/** Databases the restores create; dropped after the tests whatever happened. */
const toBeCreated = (prefix: string) => databases.next(prefix);
const exists = databaseExists;

const restore = (
  url: string,
  options: PostgresRestoreOptions,
  extra: { schema?: unknown; beforeWrite?: () => Promise<void>; signal?: AbortSignal } = {},
) =>
  postgresEngine.restore({
    url,
    streams: backup.streams.reader(),
    schema: extra.schema ?? backup.result.schema,
    jobs: 2,
    options,
    progress: () => {},
    ...(extra.beforeWrite ? { beforeWrite: extra.beforeWrite } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
  });

beforeAll(async () => {
  source = await createPgDatabase('pg_create_src');
  await withPgClient(source.url, (c) =>
    c.query(`CREATE TABLE parents (id int PRIMARY KEY, name text);
      CREATE TABLE children (id int PRIMARY KEY, parent int REFERENCES parents, note text);
      CREATE INDEX children_note ON children (note);
      CREATE VIEW named AS SELECT c.id, p.name FROM children c JOIN parents p ON p.id = c.parent;
      INSERT INTO parents SELECT g, 'parent ' || g FROM generate_series(1, 50) g;
      INSERT INTO children SELECT g, 1 + g % 50, md5(g::text) FROM generate_series(1, 500) g;`),
  );
  backup = await backupToMemory(source.url);
});
afterAll(async () => {
  await databases.dropAll();
  await source?.drop();
});

describe('restore --create', () => {
  it('creates the database and restores the archive into it, identical', async () => {
    const { name, url } = toBeCreated('pg_create_ok');
    const result = await restore(url, { create: true });
    expect(result.database).toBe(name);
    expect(await tableChecksums(url)).toEqual(await tableChecksums(source.url));
    const version = await withPgClient(
      source.url,
      async (c) => (await c.query('SHOW server_version')).rows[0],
    );
    const pgDump = findPgDump(String(version?.server_version));
    if (pgDump) expect(pgDumpSchema(pgDump, url)).toBe(pgDumpSchema(pgDump, source.url));
  });

  it('a refusal after CREATE DATABASE started drops the database it created, and says so', async () => {
    const { name, url } = toBeCreated('pg_create_refused');
    // An extension the server cannot install is refused by the checks that need the plan, which
    // now run on the maintenance session after CREATE DATABASE.
    const schema = structuredClone(backup.result.schema) as { objects: Record<string, unknown>[] };
    schema.objects.unshift({ ...missingExtension() });
    const err = await restore(url, { create: true }, { schema }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).code).toBe('pg-missing-extension');
    expect((err as Error).message).toMatch(
      new RegExp(
        `cannot install extension stowage_no_such_extension.*database "${name}", created by this restore, was dropped again`,
      ),
    );
    expect(await exists(name)).toBe(false);
  });

  it('a refusal of the new database itself (data-only: no tables) leaves no database', async () => {
    const { name, url } = toBeCreated('pg_create_dataonly');
    const err = await restore(url, { create: true, dataOnly: true }).catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('pg-missing-table');
    expect((err as Error).message).toMatch(/was dropped again/);
    expect(await exists(name)).toBe(false);
  });

  it('declined at beforeWrite (the confirmation), the created database goes again', async () => {
    const { name, url } = toBeCreated('pg_create_declined');
    const declined = new StowageError('declined', 'restore declined; nothing was written');
    const err = await restore(
      url,
      { create: true },
      {
        beforeWrite: async () => {
          throw declined;
        },
      },
    ).catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('declined');
    expect((err as Error).message).toMatch(/was dropped again/);
    expect(await exists(name)).toBe(false);
  });

  it('a failure before the first write stays the cause when a signal comes during the cleanup', async () => {
    const { name, url } = toBeCreated('pg_create_fail_then_signal');
    const controller = new AbortController();
    // Someone connects to the new database: DROP DATABASE then waits (up to 5 s) for them to leave.
    const visitor = new pg.Client({ connectionString: url });
    const failure = new StowageError(
      'safety-backup-failed',
      'the safety backup failed, so nothing was restored',
    );
    const restoring = restore(
      url,
      { create: true },
      {
        signal: controller.signal,
        beforeWrite: async () => {
          await visitor.connect();
          throw failure;
        },
      },
    ).catch((e: unknown) => e);
    try {
      await statementRunning('DROP DATABASE', name);
      // Ctrl-C while the cleanup waits: the restore had already failed.
      controller.abort(new StowageError('interrupted', 'interrupted by SIGINT'));
    } finally {
      await visitor.end();
    }
    const err = await restoring;
    expect((err as StowageError).code).toBe('safety-backup-failed');
    expect((err as Error).message).toBe(
      `the safety backup failed, so nothing was restored; database "${name}", created by this restore, was dropped again`,
    );
    expect(await exists(name)).toBe(false);
  }, 60_000);

  it('interrupted as CREATE DATABASE completes, it drops the database', async () => {
    const { name, url } = toBeCreated('pg_create_interrupted');
    const controller = new AbortController();
    const send = pg.Client.prototype.query;
    // The real driver throughout; the interrupt comes with CREATE DATABASE's answer, too late for a
    // cancel (restore-create-interrupt.test.ts has one in time).
    const query = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const out = (send as (...a: unknown[]) => unknown).apply(this, args);
      if (typeof args[0] === 'string' && args[0].startsWith('CREATE DATABASE'))
        void (out as Promise<unknown>).then(() =>
          controller.abort(new StowageError('interrupted', 'interrupted by SIGINT')),
        );
      return out;
    } as never);
    let err: unknown;
    try {
      err = await restore(url, { create: true }, { signal: controller.signal }).catch((e: unknown) => e);
    } finally {
      query.mockRestore();
    }
    expect(controller.signal.aborted).toBe(true);
    expect((err as StowageError).code).toBe('interrupted');
    expect((err as Error).message).toMatch(/was dropped again/);
    expect(await exists(name)).toBe(false);
  });

  it('a database that exists is refused as usual when not empty, and left as it was', async () => {
    const { name, url } = toBeCreated('pg_create_existing');
    await withPgClient(pgUrlFor('postgres'), (c) => c.query(`CREATE DATABASE ${name}`));
    await withPgClient(url, (c) => c.query(`CREATE TABLE mine (a int); INSERT INTO mine VALUES (7)`));
    const err = await restore(url, { create: true }).catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('pg-target-not-empty');
    // The usual one line, with nothing about dropping.
    expect((err as Error).message).toBe(
      `restore failed: target database "${name}" on ${parseTarget(url).server} is not empty (1 relations); already applied: nothing`,
    );
    expect(await exists(name)).toBe(true);
    expect(await withPgClient(url, async (c) => (await c.query('SELECT a FROM mine')).rows)).toEqual([
      { a: 7 },
    ]);
  });

  it('a database someone else created meanwhile is refused, not written into, nor dropped', async () => {
    const { name, url } = toBeCreated('pg_create_race');
    const target = parseTarget(url);
    const admin = await openMaintenance(target, undefined);
    if (!admin) throw new Error('no maintenance database');
    // Another client creates it between the lookup and CREATE DATABASE.
    const lookUp = admin.query.bind(admin);
    admin.query = (async (...args: Parameters<typeof lookUp>) => {
      const found = await lookUp(...args);
      await withPgClient(pgUrlFor('postgres'), (c) => c.query(`CREATE DATABASE ${name}`));
      await withPgClient(url, (c) => c.query('CREATE TABLE theirs (a int)'));
      return found;
    }) as typeof admin.query;
    const creation = new TargetCreation(Promise.resolve(admin), target, { encoding: 'UTF8' }, undefined);
    const err = await openTarget(url, { creation, settings: {} }, []).catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('pg-target-not-empty');
    expect((err as Error).message).toBe(
      `database "${name}" already exists on ${target.server}: another session created it while this restore was creating it`,
    );
    expect(await creation.undo()).toBeUndefined();
    expect(await exists(name)).toBe(true);
  });

  it('a role without CREATEDB gets one line naming the privilege, and no database', async () => {
    const { name, url } = toBeCreated('pg_create_no_createdb');
    const role = `stowage_no_createdb_${Date.now().toString(36)}`;
    await withPgClient(pgUrlFor('postgres'), (c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`));
    try {
      const asRole = new URL(url);
      asRole.username = role;
      asRole.password = 'pw';
      const err = await restore(asRole.toString(), { create: true }).catch((e: unknown) => e);
      expect((err as StowageError).code).toBe('pg-permission');
      expect((err as Error).message).toBe(
        `role "${role}" may not create databases on ${parseTarget(url).server}`,
      );
      expect((err as StowageError).hint).toMatch(/^give it CREATEDB \(ALTER ROLE .* CREATEDB\)/);
      expect(await exists(name)).toBe(false);
    } finally {
      await withPgClient(pgUrlFor('postgres'), (c) => c.query(`DROP ROLE ${role}`));
    }
  });

  it('two at once: the one whose CREATE DATABASE loses the name (23505) refuses in one line and drops nothing', async () => {
    const { name, url } = toBeCreated('pg_create_race_unique');
    // The other run's CREATE DATABASE, held open until this one's waits behind it, then committed.
    const other = await holdName(name, databases);
    const restoring = restore(url, { create: true }).catch((e: unknown) => e);
    await statementRunning('CREATE DATABASE', name, true);
    const oidOf = (datname: string) =>
      withPgClient(
        pgUrlFor('postgres'),
        async (c) => (await c.query('SELECT oid FROM pg_database WHERE datname = $1', [datname])).rows,
      );
    const theirs = await oidOf(`${name}_holder`);
    await other.commit();
    const err = await restoring;
    expect((err as StowageError).code).toBe('pg-target-not-empty');
    expect((err as Error).message).toBe(
      `database "${name}" already exists on ${parseTarget(url).server}: another session created it while this restore was creating it`,
    );
    expect((err as StowageError).hint).toMatch(/another name/);
    // The other run's database, untouched.
    expect(theirs).toHaveLength(1);
    expect(await oidOf(name)).toEqual(theirs);
  }, 60_000);
});
