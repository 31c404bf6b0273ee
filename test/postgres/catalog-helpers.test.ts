// The catalog readers' queries shared out between sessions in one snapshot (issue 14:
// thousands of tables): the leader alone and the leader with helpers read the same schema,
// with the same warnings in the same order, and the helpers do answer some of the queries.
// Each session has a second reader's query waiting while the first one's answer is read,
// so the server works while the client turns an answer into objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import type { CatalogContext } from '../../src/engines/postgres/introspect/context.js';
import {
  listSchemas,
  readCatalog,
  TASKS_PER_SESSION,
} from '../../src/engines/postgres/introspect/read-catalog.js';
import { selectRelations } from '../../src/engines/postgres/introspect/relations.js';
import { NameFilter } from '../../src/engines/postgres/patterns.js';
import { readServerInfo } from '../../src/engines/postgres/server-info.js';
import { beginSnapshot, joinSnapshot } from '../../src/engines/postgres/snapshot.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

const SETTINGS = { search_path: '', DateStyle: 'ISO', IntervalStyle: 'postgres', extra_float_digits: '3' };

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('catalog_helpers');
  await withPgClient(db.url, (c) =>
    c.query(`
      CREATE SCHEMA app;
      CREATE TYPE app.mood AS ENUM ('ok', 'meh');
      CREATE SEQUENCE app.counter;
      CREATE TABLE app.parent (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, mood app.mood,
        n integer DEFAULT nextval('app.counter') CHECK (n > 0));
      CREATE TABLE app.child (id serial PRIMARY KEY, parent_id integer REFERENCES app.parent (id), note text);
      CREATE INDEX child_note ON app.child (note);
      CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER child_touch BEFORE UPDATE ON app.child FOR EACH ROW EXECUTE FUNCTION app.touch();
      CREATE VIEW app.children AS SELECT c.id, p.mood FROM app.child c JOIN app.parent p ON p.id = c.parent_id;
      CREATE MATERIALIZED VIEW app.moods AS SELECT mood, count(*) FROM app.parent GROUP BY mood;
      CREATE POLICY own ON app.child USING (true);
      COMMENT ON TABLE app.child IS 'children';
      -- A schema of its own with a view over a table the selection below leaves out: a warning.
      CREATE SCHEMA other;
      CREATE TABLE other.hidden (id integer);
      CREATE VIEW app.peek AS SELECT id FROM other.hidden;
    `),
  );
});

afterAll(async () => {
  await db?.drop();
});

/** Reads the catalog of schema `app` with the leader and `helpers` more sessions in its snapshot. */
async function read(helpers: number) {
  const target = parseTarget(db.url);
  const leader = await PgSession.open(target, { mode: 'backup', settings: SETTINGS });
  const others: PgSession[] = [];
  try {
    const server = await readServerInfo(leader);
    // Queries sent on the leader and not answered yet, at most.
    let pending = 0;
    let mostPending = 0;
    const counted =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        mostPending = Math.max(mostPending, ++pending);
        try {
          return await call(...args);
        } finally {
          pending--;
        }
      };
    leader.query = counted(leader.query.bind(leader)) as typeof leader.query;
    leader.eachRow = counted(leader.eachRow.bind(leader)) as typeof leader.eachRow;
    const snapshot = await beginSnapshot(leader, true);
    let helperQueries = 0;
    for (let i = 0; i < helpers; i++) {
      const helper = await PgSession.open(target, { mode: 'backup', settings: SETTINGS });
      others.push(helper);
      await joinSnapshot(helper, snapshot as string);
      const query = helper.query.bind(helper);
      helper.query = ((...args: Parameters<typeof query>) => {
        helperQueries++;
        return query(...args);
      }) as typeof helper.query;
    }
    const filter = new NameFilter({ includeSchemas: ['app'] });
    const ctx: CatalogContext = {
      session: leader,
      version: server.versionNum,
      schemas: [],
      relations: [],
      selective: true,
      warnings: [],
      incomplete: [],
    };
    ctx.schemas = await listSchemas(ctx, filter);
    ctx.relations = (await selectRelations(ctx, filter)).map((r) => r.oid);
    mostPending = 0;
    const catalog = await readCatalog(ctx, others);
    return { catalog, warnings: ctx.warnings, incomplete: ctx.incomplete, helperQueries, mostPending };
  } finally {
    await Promise.all([leader, ...others].map((s) => s.close()));
  }
}

describe('reading the catalog on several sessions of one snapshot', () => {
  it('gives the same objects, tables, sequences and warnings as the leader alone, with the helpers answering', async () => {
    const alone = await read(0);
    const shared = await read(2);
    expect(alone.catalog.objects.length).toBeGreaterThan(10);
    expect(alone.warnings.some((w) => w.includes('app.peek'))).toBe(true);
    expect(shared.catalog).toEqual(alone.catalog);
    expect(shared.warnings).toEqual(alone.warnings);
    expect(shared.incomplete).toEqual(alone.incomplete);
    expect(shared.helperQueries).toBeGreaterThan(0);
  }, 60_000);

  it('keeps a second reader waiting on each session while the first one reads its answer', async () => {
    // One more at most: the tables' task asks its columns' types and its checks together.
    const alone = await read(0);
    expect(alone.mostPending).toBeGreaterThanOrEqual(2);
    expect(alone.mostPending).toBeGreaterThanOrEqual(TASKS_PER_SESSION);
    expect(alone.mostPending).toBeLessThanOrEqual(TASKS_PER_SESSION + 1);
    const shared = await read(1);
    expect(shared.mostPending).toBeGreaterThanOrEqual(TASKS_PER_SESSION);
    expect(shared.mostPending).toBeLessThanOrEqual(TASKS_PER_SESSION + 1);
  }, 60_000);
});
