// pg_depend as the backup reads it (issue 14: thousands of tables): the links come in several
// texts of a bounded size instead of one text of all of them, and the client gets every link,
// in pg_depend's order, exactly as one row per link gives them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import type { CatalogContext } from '../../src/engines/postgres/introspect/context.js';
import {
  type DependRow,
  readDependLinks,
  unpackLinks,
} from '../../src/engines/postgres/introspect/depend.js';
import { readServerInfo } from '../../src/engines/postgres/server-info.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

const SETTINGS = { search_path: '', DateStyle: 'ISO', IntervalStyle: 'postgres', extra_float_digits: '3' };
// Each table with a primary key and a default gives five links: more than one text's 8,192.
const TABLES = 2000;

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('depend_links');
  await withPgClient(db.url, (c) =>
    c.query(`DO $$ BEGIN
      FOR i IN 1..${TABLES} LOOP
        EXECUTE format('CREATE TABLE %I (id integer PRIMARY KEY, at timestamptz DEFAULT now())', 't' || i);
      END LOOP;
    END $$`),
  );
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

describe('reading pg_depend for the backup', () => {
  it('returns every link in pg_depend order, over several texts', async () => {
    const session = await PgSession.open(parseTarget(db.url), { mode: 'backup', settings: SETTINGS });
    try {
      const server = await readServerInfo(session);
      const ctx: CatalogContext = {
        session,
        version: server.versionNum,
        schemas: ['public'],
        relations: [],
        warnings: [],
        incomplete: [],
      };
      const texts: number[] = [];
      const query = session.query.bind(session);
      session.query = (async (...args: Parameters<typeof query>) => {
        const result = await query(...args);
        if (/pg_depend d/.test(args[0]) && result.fields.some((f) => f.name === 'links'))
          texts.push(result.rows.length);
        return result;
      }) as typeof session.query;
      const { links } = await readDependLinks(ctx);

      // The same links as one protocol row each, in the order pg_depend gives them.
      const expected = await query(
        `SELECT d.classid::pg_catalog.regclass::text || ':' || d.objid::text AS "from",
           d.refclassid::pg_catalog.regclass::text || ':' || d.refobjid::text AS "to", d.deptype::text AS type
         FROM pg_catalog.pg_depend d
         WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype IN ('n', 'a', 'i', 'e', 'P', 'S')
           AND NOT (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.deptype = 'i'
             AND EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid AND t.tgisinternal))`,
        [],
        'test',
      );
      expect(expected.rows.length).toBeGreaterThan(8192);
      expect(links).toEqual(expected.rows);
      // More than one text: a single one grows with the schema, and the driver's buffer with it.
      expect(texts).toEqual([Math.ceil(expected.rows.length / 8192)]);
    } finally {
      await session.close();
    }
  }, 120_000);
});

describe('unpackLinks', () => {
  it('splits a text of lines into links, the last line without a line break', () => {
    const out: DependRow[] = [];
    unpackLinks('pg_class:16390 pg_namespace:2200 n\npg_type:16392 pg_class:16390 i', out);
    unpackLinks('', out);
    unpackLinks('pg_attrdef:16400 pg_class:16390 a', out);
    expect(out).toEqual([
      { from: 'pg_class:16390', to: 'pg_namespace:2200', type: 'n' },
      { from: 'pg_type:16392', to: 'pg_class:16390', type: 'i' },
      { from: 'pg_attrdef:16400', to: 'pg_class:16390', type: 'a' },
    ]);
  });
});
