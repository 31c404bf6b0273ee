import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StowageError } from '../../src/errors.js';
import { backup } from '../../src/ops/backup.js';
import { restore } from '../../src/ops/restore.js';
import { dropTemplates, listTemplates } from '../../src/ops/templates.js';
import { runCli } from '../cli/run-cli.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';

// restore --template-cache against the shared PostgreSQL: the first restore
// loads a template, the next ones clone it, a changed archive gets its own,
// a busy template refuses, and list/drop see only Stowage's templates.

let dir: string;
let source: TestPgDatabase;
const targets: string[] = [];
const templates = new Set<string>();
const tag = randomBytes(6).toString('hex');

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const admin = <T>(fn: Parameters<typeof withPgClient<T>>[1]) => withPgClient(pgUrl(), fn);

function targetName(what: string): string {
  const name = `tplc_${what}_${tag}`;
  targets.push(name);
  return name;
}

async function rows(database: string): Promise<string[]> {
  return withPgClient(pgUrlFor(database), async (c) =>
    (await c.query<{ v: string }>('SELECT v FROM app.items ORDER BY id')).rows.map((r) => r.v),
  );
}

async function backupTo(name: string): Promise<string> {
  const summary = await backup({ source: source.url, to: join(dir, name), preflight: { skipSource: true } });
  return summary.archive;
}

async function restoreCached(archive: string, database: string) {
  const summary = await restore({
    archive,
    target: pgUrlFor(database),
    templateCache: true,
    engineOptions: { create: true },
  });
  if (summary.template) templates.add(summary.template.name);
  return summary;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-template-cache-'));
  source = await createPgDatabase('tplc_src');
  // The tag makes this run's archive content unique, so no template of an earlier run matches it.
  await withPgClient(source.url, (c) =>
    c.query(`CREATE SCHEMA app;
      CREATE TABLE app.items (id int PRIMARY KEY, v text NOT NULL);
      CREATE INDEX items_v ON app.items (v);
      INSERT INTO app.items SELECT i, 'row ' || i || ' ${tag}' FROM generate_series(1, 500) i;`),
  );
});

afterAll(async () => {
  await admin(async (c) => {
    for (const t of targets) await c.query(`DROP DATABASE IF EXISTS ${quote(t)} WITH (FORCE)`);
    for (const t of templates) {
      const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [t]);
      if (exists.rows.length === 0) continue;
      await c.query(`ALTER DATABASE ${quote(t)} IS_TEMPLATE false`);
      await c.query(`DROP DATABASE ${quote(t)} WITH (FORCE)`);
    }
  });
  await source?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('restore --template-cache (PostgreSQL)', () => {
  let archive: string;
  let template: string;

  it('loads the archive once into a marked template and creates the target from it', async () => {
    archive = await backupTo('first');
    const first = targetName('first');
    const summary = await restoreCached(archive, first);
    expect(summary.template?.loaded).toBe(true);
    template = summary.template!.name;
    expect(template).toMatch(/^stowage_tpl_[0-9a-f]{32}$/);
    expect(await rows(first)).toHaveLength(500);
    expect((await rows(first))[0]).toBe(`row 1 ${tag}`);
    const marks = await admin(
      async (c) =>
        (
          await c.query(
            `SELECT d.datistemplate, d.datallowconn, pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
               FROM pg_database d WHERE datname = $1`,
            [template],
          )
        ).rows[0],
    );
    expect(marks).toMatchObject({ datistemplate: true, datallowconn: false });
    expect(marks.comment).toMatch(/^stowage template cache: .*first.*key [0-9a-f]{64}$/);
    // No half-loaded leftover under the loading name.
    const leftovers = await admin(
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [`${template}_load`])).rows,
    );
    expect(leftovers).toHaveLength(0);
    expect((await listTemplates(pgUrl())).map((t) => t.name)).toContain(template);
  });

  it('clones the cached template on the next restore instead of loading the archive again', async () => {
    // A row only the template holds: a clone copies it, a new load from the archive would not.
    await admin((c) => c.query(`ALTER DATABASE ${quote(template)} ALLOW_CONNECTIONS true`));
    await withPgClient(pgUrlFor(template), (c) =>
      c.query(`INSERT INTO app.items VALUES (100000, 'only in the template')`),
    );
    await admin((c) => c.query(`ALTER DATABASE ${quote(template)} ALLOW_CONNECTIONS false`));
    const second = targetName('second');
    const summary = await restoreCached(archive, second);
    expect(summary.template).toEqual({ name: template, loaded: false });
    const restored = await rows(second);
    expect(restored).toHaveLength(501);
    expect(restored.at(-1)).toBe('only in the template');
    // The clone itself is an ordinary database, open to connections.
    const cloned = await admin(
      async (c) =>
        (await c.query('SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1', [second]))
          .rows[0],
    );
    expect(cloned).toEqual({ datistemplate: false, datallowconn: true });
  });

  it('gives a changed archive its own template', async () => {
    await withPgClient(source.url, (c) => c.query(`UPDATE app.items SET v = 'changed' WHERE id = 1`));
    const changed = await backupTo('changed');
    const target = targetName('changed');
    const summary = await restoreCached(changed, target);
    expect(summary.template?.loaded).toBe(true);
    expect(summary.template?.name).not.toBe(template);
    const restored = await rows(target);
    expect(restored).toHaveLength(500);
    expect(restored[0]).toBe('changed');
  });

  it('refuses clearly to clone a template someone is connected to, and creates nothing', async () => {
    await admin((c) => c.query(`ALTER DATABASE ${quote(template)} ALLOW_CONNECTIONS true`));
    const target = targetName('busy');
    try {
      await withPgClient(pgUrlFor(template), async () => {
        const err = await restoreCached(archive, target).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StowageError);
        expect((err as StowageError).code).toBe('pg-template-busy');
        expect((err as StowageError).message).toMatch(/template is in use by another session/);
      });
    } finally {
      await admin((c) => c.query(`ALTER DATABASE ${quote(template)} ALLOW_CONNECTIONS false`));
    }
    const exists = await admin(
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [target])).rows,
    );
    expect(exists).toHaveLength(0);
  });

  it('refuses a target that exists already', async () => {
    const err = await restoreCached(archive, source.name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).message).toMatch(/already exists.*--template-cache creates the target/);
  });

  it('drops only cached templates, by name', async () => {
    const notOurs = await dropTemplates(pgUrl(), { names: [source.name] }).catch((e: unknown) => e);
    expect((notOurs as StowageError).message).toMatch(/not a cached Stowage template/);
    expect(await dropTemplates(pgUrl(), { names: [template] })).toEqual([template]);
    const names = (await listTemplates(pgUrl())).map((t) => t.name);
    expect(names).not.toContain(template);
    // Dropped: the next restore loads it again.
    const summary = await restoreCached(archive, targetName('again'));
    expect(summary.template).toEqual({ name: template, loaded: true });
  });

  it('is a usage error for MongoDB targets', async () => {
    const err = await restore({
      archive: join(dir, 'none.stow'),
      target: 'mongodb://localhost/x',
      templateCache: true,
    }).catch((e: unknown) => e);
    expect((err as StowageError).code).toBe('usage');
    expect((err as StowageError).message).toMatch(/--template-cache needs template databases/);
  });

  it('works from the command line: restore --template-cache, templates list and drop', async () => {
    const target = targetName('cli');
    const restored = await runCli([
      'restore',
      archive,
      pgUrlFor(target),
      '--template-cache',
      '--yes',
      '--json',
    ]);
    expect(restored.code).toBe(0);
    const { template: used } = restored.json<{ template: { name: string; loaded: boolean } }>();
    templates.add(used.name);
    expect(used).toEqual({ name: template, loaded: false });
    expect(await rows(target)).toHaveLength(500);
    const listed = await runCli(['templates', 'list', pgUrl(), '--json']);
    expect(listed.json<{ name: string }[]>().map((t) => t.name)).toContain(template);
    const dropped = await runCli(['templates', 'drop', pgUrl(), template, '--json']);
    expect(dropped.code).toBe(0);
    expect(dropped.json()).toEqual([template]);
    expect((await runCli(['templates', 'drop', pgUrl()])).code).toBe(2);
    const mongo = await runCli(['restore', archive, 'mongodb://localhost/x', '--template-cache', '--yes']);
    expect(mongo.code).toBe(2);
    expect(mongo.stderr).toMatch(/--template-cache needs template databases/);
  });
});

describe('restore --template-cache whose clone cannot take the database properties', () => {
  // A template loaded by a superuser, cloned by a role that may create databases but not give one
  // to the archived owner: CREATE DATABASE … TEMPLATE succeeds, ALTER DATABASE … OWNER TO fails.
  const owner = `tplc_owner_${tag}`;
  const user = `tplc_user_${tag}`;
  const password = randomBytes(12).toString('hex');
  let owned: TestPgDatabase | undefined;

  afterAll(async () => {
    // Before the file's own cleanup: the roles go only once what they own is gone.
    await admin(async (c) => {
      for (const t of targets) await c.query(`DROP DATABASE IF EXISTS ${quote(t)} WITH (FORCE)`);
      for (const t of templates) {
        await c.query(`ALTER DATABASE ${quote(t)} IS_TEMPLATE false`).catch(() => {});
        await c.query(`DROP DATABASE IF EXISTS ${quote(t)} WITH (FORCE)`);
      }
    });
    await owned?.drop();
    await admin(async (c) => {
      for (const role of [user, owner]) await c.query(`DROP ROLE IF EXISTS ${quote(role)}`);
    });
  });

  it('drops the clone it made, says so, and keeps it with keepFailed', async () => {
    await admin((c) =>
      c.query(`CREATE ROLE ${quote(owner)} NOLOGIN;
               CREATE ROLE ${quote(user)} LOGIN CREATEDB PASSWORD '${password}';`),
    );
    owned = await createPgDatabase('tplc_owned_src');
    await admin((c) => c.query(`ALTER DATABASE ${quote(owned!.name)} OWNER TO ${quote(owner)}`));
    await withPgClient(owned.url, (c) => c.query(`CREATE TABLE t (id int PRIMARY KEY, v text)`));
    const archive = (
      await backup({ source: owned.url, to: join(dir, 'owned.stow'), preflight: { skipSource: true } })
    ).archive;
    expect((await restoreCached(archive, targetName('owned_loaded'))).template?.loaded).toBe(true);

    const asUser = new URL(pgUrl());
    asUser.username = user;
    asUser.password = password;
    const failed = async (database: string, keepFailed: boolean) => {
      const err = await restore({
        archive,
        target: pgUrlFor(database, asUser.toString()),
        templateCache: true,
        engineOptions: { create: true },
        ...(keepFailed ? { keepFailed } : {}),
      }).then(
        () => {
          throw new Error('the restore succeeded');
        },
        (e: unknown) => e as StowageError,
      );
      const exists = await admin(
        async (c) =>
          (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rows.length > 0,
      );
      return { err, exists };
    };
    const dropped = targetName('owned_clone');
    const first = await failed(dropped, false);
    expect(first.err.message).toMatch(/setting the database properties/);
    expect(first.err.message).toContain(`dropped database "${dropped}", which this restore had created`);
    expect(first.exists).toBe(false);

    const kept = targetName('owned_kept');
    const second = await failed(kept, true);
    expect(second.err.message).toContain(`database "${kept}", which this restore created, is kept as it is`);
    expect(second.err.hint).toMatch(/drop database ".*" first: --template-cache creates the target/);
    expect(second.exists).toBe(true);
  });
});
