// pg_depend as the backup reads it (issue 14: thousands of tables): the links come in several
// texts of a bounded size instead of one text of all of them, and the client gets every link,
// in the order of pg_depend's keys, exactly as one row per link gives them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import type { CatalogContext } from '../../src/engines/postgres/introspect/context.js';
import { CATALOG_OIDS, catalogKey } from '../../src/engines/postgres/introspect/context.js';
import {
  DEPTYPE,
  linksFill,
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
  it('returns every link in the order of its keys, over several texts unpacked as they arrive', async () => {
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
      // Rows handed out one by one (eachRow), none accumulated in a result as query() does.
      let texts = 0;
      let queried = 0;
      const query = session.query.bind(session);
      const eachRow = session.eachRow.bind(session);
      session.query = (async (...args: Parameters<typeof query>) => {
        if (/pg_depend d/.test(args[0])) queried++;
        return query(...args);
      }) as typeof session.query;
      session.eachRow = (async (...args: Parameters<typeof eachRow>) => {
        const onRow = args[2];
        return eachRow(args[0], args[1], (row) => {
          texts++;
          onRow(row);
        });
      }) as typeof session.eachRow;
      const links = await readDependLinks(ctx);

      // The same links as one protocol row each, in the order of their keys.
      const expected = await query(
        `SELECT (d.classid::int8 * 4294967296 + d.objid::int8)::text AS "from",
           (d.refclassid::int8 * 4294967296 + d.refobjid::int8)::text AS "to", d.deptype::text AS type
         FROM pg_catalog.pg_depend d
         WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype IN ('n', 'a', 'i', 'e', 'P', 'S')
           AND NOT (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.deptype = 'i'
             AND EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid AND t.tgisinternal))
         ORDER BY d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype`,
        [],
        'test',
      );
      expect(expected.rows.length).toBeGreaterThan(8192);
      const rows = expected.rows as { from: string; to: string; type: string }[];
      // Typed arrays of exactly the rows' number: no list grown by push, no object per row.
      expect(links.from).toBeInstanceOf(Float64Array);
      expect(links.to).toBeInstanceOf(Float64Array);
      expect(links.types).toBeInstanceOf(Uint8Array);
      expect(links.from.length).toBe(rows.length);
      expect([...links.from]).toEqual(rows.map((r) => Number(r.from)));
      expect([...links.to]).toEqual(rows.map((r) => Number(r.to)));
      expect(String.fromCharCode(...links.types)).toEqual(rows.map((r) => r.type).join(''));
      // The keys are the ones the readers give the objects: a table's row type is internal to the table.
      const table = await query(
        `SELECT c.oid::text AS oid, c.reltype::text AS type FROM pg_catalog.pg_class c WHERE c.oid = 'public.t1'::pg_catalog.regclass`,
        [],
        'test',
      );
      const { oid, type } = table.rows[0] as { oid: string; type: string };
      const at = links.from.indexOf(catalogKey('pg_type', type));
      expect(at).toBeGreaterThanOrEqual(0);
      expect([links.to[at], links.types[at]]).toEqual([catalogKey('pg_class', oid), DEPTYPE.internal]);
      expect(links.userRelations.has(catalogKey('pg_class', oid))).toBe(true);
      // More than one text: a single one grows with the schema, and the driver's buffer with it.
      expect(texts).toBe(Math.ceil(expected.rows.length / 8192));
      expect(queried).toBe(0);
    } finally {
      await session.close();
    }
  }, 120_000);
});

describe('catalog keys', () => {
  it('name each catalog by the OID the server gives it', async () => {
    const names = Object.keys(CATALOG_OIDS);
    const found = await withPgClient(db.url, (c) =>
      c.query<{ name: string; oid: number | null }>(
        `SELECT n AS name, pg_catalog.to_regclass('pg_catalog.' || n)::oid::int AS oid FROM pg_catalog.unnest($1::text[]) n`,
        [names],
      ),
    );
    // Catalogs a version lacks (publications before 10) have no rows to claim there.
    const known = found.rows.filter((r) => r.oid != null);
    expect(known.length).toBeGreaterThan(names.length / 2);
    for (const r of known)
      expect([r.name, CATALOG_OIDS[r.name as keyof typeof CATALOG_OIDS]]).toEqual([r.name, r.oid]);
  });
});

describe('unpackLinks', () => {
  it('reads a text of lines into typed arrays, the last line without a line break', () => {
    const out = linksFill(3);
    unpackLinks(
      `${catalogKey('pg_class', 16390)} ${catalogKey('pg_namespace', 2200)} n\n${catalogKey('pg_type', 16392)} ${catalogKey('pg_class', 16390)} i`,
      out,
    );
    unpackLinks('', out);
    unpackLinks('11188389806079 5407363842054 a', out);
    expect(out.count).toBe(3);
    expect([...out.from]).toEqual([
      catalogKey('pg_class', 16390),
      catalogKey('pg_type', 16392),
      catalogKey('pg_attrdef', 4294967295),
    ]);
    expect([...out.to]).toEqual([
      catalogKey('pg_namespace', 2200),
      catalogKey('pg_class', 16390),
      catalogKey('pg_class', '16390'),
    ]);
    expect([...out.types]).toEqual([DEPTYPE.normal, DEPTYPE.internal, DEPTYPE.auto]);
    // Exact: the largest OID in the largest catalog OID stays a distinct whole number.
    expect(catalogKey('pg_attrdef', 4294967295) - catalogKey('pg_attrdef', 4294967294)).toBe(1);
  });
});
