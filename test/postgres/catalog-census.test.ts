// The census before the catalog readers (introspect/census.ts, issue 14: a small backup's
// catalog was some fifty queries, most answering nothing): kinds a database has none of are
// not read, kinds it has are, and the schema read is the same as with every reader running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { type Census, EVERY_KIND, readCensus } from '../../src/engines/postgres/introspect/census.js';
import type { CatalogContext } from '../../src/engines/postgres/introspect/context.js';
import { listSchemas, readCatalog } from '../../src/engines/postgres/introspect/read-catalog.js';
import { selectRelations } from '../../src/engines/postgres/introspect/relations.js';
import { NameFilter } from '../../src/engines/postgres/patterns.js';
import { readServerInfo } from '../../src/engines/postgres/server-info.js';
import { beginSnapshot } from '../../src/engines/postgres/snapshot.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

const SETTINGS = { search_path: '', DateStyle: 'ISO', IntervalStyle: 'postgres', extra_float_digits: '3' };

let plain: TestPgDatabase;
let varied: TestPgDatabase;

const TABLES = `
  CREATE SCHEMA app;
  CREATE TABLE app.parent (id serial PRIMARY KEY, a int, b int);
  CREATE TABLE app.child (id serial PRIMARY KEY, parent_id int REFERENCES app.parent (id));
  CREATE INDEX child_parent ON app.child (parent_id);
  CREATE VIEW app.parents AS SELECT id FROM app.parent;
  CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE TRIGGER child_touch BEFORE UPDATE ON app.child FOR EACH ROW EXECUTE FUNCTION app.touch();`;

beforeAll(async () => {
  plain = await createPgDatabase('catalog_census_plain');
  varied = await createPgDatabase('catalog_census_varied');
  await withPgClient(plain.url, (c) => c.query(TABLES));
  // One object of each kind the census answers for (but transforms, which need C functions).
  await withPgClient(varied.url, (c) =>
    c.query(`${TABLES}
      CREATE ACCESS METHOD app_heap TYPE TABLE HANDLER heap_tableam_handler;
      CREATE TYPE app.pair AS (x int, y int);
      CREATE CAST (app.pair AS text) WITH INOUT;
      CREATE COLLATION app.plain_c FROM "C";
      CREATE CONVERSION app.latin FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
      ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;
      CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
      CREATE EVENT TRIGGER census_ddl ON ddl_command_start EXECUTE FUNCTION app.on_ddl();
      CREATE FOREIGN DATA WRAPPER census_wrapper;
      CREATE TRUSTED LANGUAGE census_lang HANDLER plpgsql_call_handler;
      CREATE OPERATOR FAMILY app.fam USING btree;
      CREATE FUNCTION app.same(int, int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
      CREATE OPERATOR app.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = app.same);
      CREATE POLICY own ON app.child USING (true);
      CREATE PUBLICATION census_pub FOR TABLE app.parent;
      CREATE RULE no_delete AS ON DELETE TO app.child DO INSTEAD NOTHING;
      CREATE STATISTICS app.ab ON a, b FROM app.parent;
      CREATE TEXT SEARCH CONFIGURATION app.words (COPY = pg_catalog.english);`),
  );
});

afterAll(async () => {
  await plain?.drop();
  await varied?.drop();
});

/** The census of `url`'s database and its catalog read with and without it, counting the queries. */
async function read(url: string) {
  const leader = await PgSession.open(parseTarget(url), { mode: 'backup', settings: SETTINGS });
  try {
    const server = await readServerInfo(leader);
    await beginSnapshot(leader, true);
    let queries = 0;
    const query = leader.query.bind(leader);
    leader.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof leader.query;
    const filter = new NameFilter({});
    const ctx = (): CatalogContext => ({
      session: leader,
      version: server.versionNum,
      schemas: [],
      relations: [],
      selective: false,
      warnings: [],
      incomplete: [],
    });
    let catalogStart = 0;
    const catalogWith = async (census: Census | Promise<Census>) => {
      const c = ctx();
      c.schemas = await listSchemas(c, filter);
      c.relations = (await selectRelations(c, filter)).map((r) => r.oid);
      const before = queries;
      catalogStart = before;
      const catalog = await readCatalog(c, [], census);
      return { catalog, warnings: c.warnings, incomplete: c.incomplete, queries: queries - before };
    };
    const census = await readCensus(ctx());
    // Given while still being asked (as a backup does): the readers every database needs go out
    // meanwhile, and those of the kinds it counts wait for its answer.
    let answer!: (c: Census) => void;
    const asked = new Promise<Census>((resolve) => {
      answer = resolve;
    });
    let sentBeforeAnswer = 0;
    const pending = catalogWith(asked);
    await new Promise((resolve) => setTimeout(resolve, 200));
    sentBeforeAnswer = queries - catalogStart;
    answer(census);
    const later = await pending;
    return {
      census,
      every: await catalogWith(EVERY_KIND),
      counted: await catalogWith(census),
      later: { ...later, sentBeforeAnswer },
    };
  } finally {
    await leader.close();
  }
}

describe('the census of kinds before reading the catalog', () => {
  it('skips the readers of kinds a database has none of, for the same schema', async () => {
    const { census, every, counted, later } = await read(plain.url);
    expect(later.catalog).toEqual(counted.catalog);
    expect(later.queries).toBe(counted.queries);
    expect(Object.values(census).every((has) => !has)).toBe(true);
    expect(counted.catalog).toEqual(every.catalog);
    expect(counted.warnings).toEqual(every.warnings);
    expect(every.catalog.objects.length).toBeGreaterThan(5);
    // Sixteen kinds, some of them several queries each.
    expect(every.queries - counted.queries).toBeGreaterThanOrEqual(16);
  }, 60_000);

  it('reads every kind a database has', async () => {
    const { census, every, counted, later } = await read(varied.url);
    // A census still being asked holds back no reader but those of the kinds it counts.
    expect(later.sentBeforeAnswer).toBeGreaterThan(0);
    expect(later.catalog).toEqual(counted.catalog);
    expect(later.warnings).toEqual(counted.warnings);
    expect(census).toEqual({ ...EVERY_KIND, transforms: false });
    expect(counted.catalog).toEqual(every.catalog);
    expect(counted.warnings).toEqual(every.warnings);
    expect(counted.incomplete).toEqual(every.incomplete);
    const kinds = new Set(counted.catalog.objects.map((o) => o.kind));
    for (const kind of [
      'access-method',
      'cast',
      'collation',
      'conversion',
      'default-privileges',
      'event-trigger',
      'foreign-data-wrapper',
      'language',
      'operator',
      'operator-family',
      'policy',
      'publication',
      'rule',
      'statistics',
    ])
      expect([...kinds]).toContain(kind);
  }, 60_000);
});
