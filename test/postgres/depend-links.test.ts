// pg_depend as the backup reads it (issue 14: thousands of tables): the links come in several
// texts of a bounded size instead of one text of all of them, and the client gets every link,
// in pg_depend's order, exactly as one row per link gives them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import type { CatalogContext } from '../../src/engines/postgres/introspect/context.js';
import { CATALOG_OIDS, catalogKey } from '../../src/engines/postgres/introspect/context.js';
import {
  type DependLinks,
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
      const links = await readDependLinks(ctx);

      // The same links as one protocol row each, in the order pg_depend gives them.
      const expected = await query(
        `SELECT (d.classid::int8 * 4294967296 + d.objid::int8)::text AS "from",
           (d.refclassid::int8 * 4294967296 + d.refobjid::int8)::text AS "to", d.deptype::text AS type
         FROM pg_catalog.pg_depend d
         WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype IN ('n', 'a', 'i', 'e', 'P', 'S')
           AND NOT (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.deptype = 'i'
             AND EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid AND t.tgisinternal))`,
        [],
        'test',
      );
      expect(expected.rows.length).toBeGreaterThan(8192);
      const rows = expected.rows as { from: string; to: string; type: string }[];
      expect(links.from).toEqual(rows.map((r) => Number(r.from)));
      expect(links.to).toEqual(rows.map((r) => Number(r.to)));
      expect(links.types).toEqual(rows.map((r) => r.type));
      // The keys are the ones the readers give the objects: a table's row type is internal to the table.
      const table = await query(
        `SELECT c.oid::text AS oid, c.reltype::text AS type FROM pg_catalog.pg_class c WHERE c.oid = 'public.t1'::pg_catalog.regclass`,
        [],
        'test',
      );
      const { oid, type } = table.rows[0] as { oid: string; type: string };
      const at = links.from.indexOf(catalogKey('pg_type', type));
      expect(at).toBeGreaterThanOrEqual(0);
      expect([links.to[at], links.types[at]]).toEqual([catalogKey('pg_class', oid), 'i']);
      expect(links.userRelations.has(catalogKey('pg_class', oid))).toBe(true);
      // More than one text: a single one grows with the schema, and the driver's buffer with it.
      expect(texts).toEqual([Math.ceil(expected.rows.length / 8192)]);
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
  it('reads a text of lines into links, the last line without a line break', () => {
    const out: Pick<DependLinks, 'from' | 'to' | 'types'> = { from: [], to: [], types: [] };
    unpackLinks(
      `${catalogKey('pg_class', 16390)} ${catalogKey('pg_namespace', 2200)} n\n${catalogKey('pg_type', 16392)} ${catalogKey('pg_class', 16390)} i`,
      out,
    );
    unpackLinks('', out);
    unpackLinks('11188389806079 5407363842054 a', out);
    expect(out).toEqual({
      from: [
        catalogKey('pg_class', 16390),
        catalogKey('pg_type', 16392),
        catalogKey('pg_attrdef', 4294967295),
      ],
      to: [catalogKey('pg_namespace', 2200), catalogKey('pg_class', 16390), catalogKey('pg_class', '16390')],
      types: ['n', 'i', 'a'],
    });
    // Exact: the largest OID in the largest catalog OID stays a distinct whole number.
    expect(catalogKey('pg_attrdef', 4294967295) - catalogKey('pg_attrdef', 4294967294)).toBe(1);
  });
});
