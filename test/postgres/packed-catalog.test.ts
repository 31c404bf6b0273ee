// A catalog of thousands of relations is packed as its readers build it (introspect/packed-object.ts):
// every parity fixture's schema read packed must give the very JSON it gives unpacked (the
// archive's footer), the same tables, sequences and warnings, objects in the same order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonPieceBytes } from '../../src/archive/json-pieces.js';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { PackedList } from '../../src/engines/postgres/introspect/packed-list.js';
import { PackedObject } from '../../src/engines/postgres/introspect/packed-object.js';
import {
  PackedTableData,
  unpackedTableData,
} from '../../src/engines/postgres/introspect/packed-table-data.js';
import { beginSnapshot, joinSnapshot } from '../../src/engines/postgres/snapshot.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { loadParityFixtures } from './parity.js';
import { readWholeCatalog } from './read-whole-catalog.js';

const SETTINGS = { search_path: '', DateStyle: 'ISO', IntervalStyle: 'postgres', extra_float_digits: '3' };

let db: TestPgDatabase;
let common: TestPgDatabase;

/**
 * Objects of the kinds most schemas have and none of the rarer cases (no partition, materialized
 * view, object left out or cycle to split): a packed catalog of them is resolved on positions.
 * Inline checks and a domain's are parts merged into their owners, views have shells, a view
 * grouping by a primary key moves to post-data, foreign keys reference tables.
 */
const COMMON_SCHEMA = `
CREATE SCHEMA app;
CREATE FUNCTION app.positive(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v > 0';
CREATE DOMAIN app.amount AS numeric(10, 2) CHECK (VALUE >= 0);
CREATE SEQUENCE app.counter;
CREATE TABLE app.customer (id integer PRIMARY KEY, name text NOT NULL CHECK (name <> ''),
  score integer DEFAULT nextval('app.counter') CHECK (app.positive(score)));
CREATE TABLE app."order" (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer integer NOT NULL REFERENCES app.customer (id), total app.amount DEFAULT 0,
  placed timestamptz DEFAULT now());
CREATE INDEX order_customer ON app."order" (customer);
CREATE TABLE app.line (id integer PRIMARY KEY, "order" integer REFERENCES app."order" (id) ON DELETE CASCADE,
  qty integer CHECK (qty > 0), CONSTRAINT line_order_qty UNIQUE ("order", qty));
CREATE VIEW app.customer_orders AS SELECT c.id, c.name, count(o.id) AS orders
  FROM app.customer c LEFT JOIN app."order" o ON o.customer = c.id GROUP BY c.id;
CREATE VIEW app.big_customers AS SELECT * FROM app.customer_orders WHERE orders > 10;
CREATE FUNCTION app.orders_of(c app.customer) RETURNS bigint LANGUAGE sql STABLE
  AS 'SELECT count(*) FROM app."order" WHERE customer = c.id';
COMMENT ON TABLE app.customer IS 'who orders';
GRANT SELECT ON app.customer_orders TO PUBLIC;
`;

beforeAll(async () => {
  db = await createPgDatabase('catalogstream_packed');
  await loadParityFixtures(db.url);
  // Statistics as they will stay: the tables' estimates (reltuples, relpages) are compared between
  // reads, and autovacuum analysing the fresh fixtures between two of them changed one (CI).
  // (Its own tables only: ANALYZE alone would reach the foreign tables' unreachable server, and so
  // would a partitioned table's with a foreign partition; autovacuum analyses neither.)
  await withPgClient(db.url, async (client) => {
    await client.query('VACUUM');
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    await client.query(`ANALYZE ${rows.map((r) => r.name).join(', ')}`);
  });
  common = await createPgDatabase('backupcompact_positions');
  await withPgClient(common.url, (client) => client.query(COMMON_SCHEMA));
}, 180_000);

afterAll(async () => {
  await db?.drop();
  await common?.drop();
});

/**
 * Plans that give rows in other orders than the usual ones: joins made by hashing instead of
 * nested loops, and parallel scans (whose workers' rows interleave as they come).
 */
const OTHER_PLANS: Record<string, Record<string, string>> = {
  hashed: {
    enable_nestloop: 'off',
    enable_indexscan: 'off',
    enable_bitmapscan: 'off',
    enable_mergejoin: 'off',
  },
  parallel: {
    parallel_setup_cost: '0',
    parallel_tuple_cost: '0',
    min_parallel_table_scan_size: '0',
    min_parallel_index_scan_size: '0',
    max_parallel_workers_per_gather: '4',
  },
};

/** The catalog read with a helper session, its objects packed from `packFromRelations` relations. */
async function read(packFromRelations: number, url = db.url, plans: Record<string, string> = {}) {
  const target = parseTarget(url);
  const settings = { ...SETTINGS, ...plans };
  const leader = await PgSession.open(target, { mode: 'backup', settings });
  const helper = await PgSession.open(target, { mode: 'backup', settings });
  try {
    await joinSnapshot(helper, (await beginSnapshot(leader, true)) as string);
    return await readWholeCatalog(leader, [helper], packFromRelations);
  } finally {
    await Promise.all([leader.close(), helper.close()]);
  }
}

/** The objects' JSON as the archive's footer has it (packed ones written by their catalog). */
function footerJson(objects: readonly unknown[]): string {
  return Buffer.concat([...jsonPieceBytes(new PackedList(objects), 4096)]).toString('utf8');
}

describe('a catalog packed as it is read', () => {
  it('writes the JSON, tables, sequences and warnings of the same catalog unpacked', async () => {
    const plain = await read(Number.MAX_SAFE_INTEGER);
    const packed = await read(0);
    expect(plain.catalog.objects.some((o) => o instanceof PackedObject)).toBe(false);
    const packedCount = packed.catalog.objects.filter((o) => o instanceof PackedObject).length;
    // Most are packed (those with parts, shells or refreshes are not).
    expect(packedCount).toBeGreaterThan(plain.catalog.objects.length / 2);
    const text = footerJson(packed.catalog.objects);
    expect(text).toBe(JSON.stringify(plain.catalog.objects));
    // The tables' entries are packed too: as plain entries with their OIDs, the same.
    expect(packed.catalog.tables.some((t) => t instanceof PackedTableData)).toBe(true);
    const entries = packed.catalog.tables.map((t) => ({ oid: t.oid, ...unpackedTableData(t) }));
    expect(entries).toEqual(plain.catalog.tables);
    expect(packed.catalog.sequences).toEqual(plain.catalog.sequences);
    expect(packed.warnings).toEqual(plain.warnings);
    expect(packed.incomplete).toEqual(plain.incomplete);
    // Partitions and materialized views: resolved as objects.
    expect(packed.catalog.positional).toBe(false);
  }, 180_000);

  it("writes the same JSON whatever order the server's plans give the catalog rows in", async () => {
    const usual = await read(Number.MAX_SAFE_INTEGER);
    const usualJson = footerJson(usual.catalog.objects);
    for (const plans of Object.values(OTHER_PLANS)) {
      for (const packFrom of [Number.MAX_SAFE_INTEGER, 0]) {
        const other = await read(packFrom, db.url, plans);
        // (Compared as text: a failure shows where the two part.)
        expect(footerJson(other.catalog.objects)).toBe(usualJson);
        expect(other.warnings).toEqual(usual.warnings);
      }
    }
  }, 180_000);

  it('resolved on positions, writes the JSON of the same catalog resolved as objects', async () => {
    const plain = await read(Number.MAX_SAFE_INTEGER, common.url);
    const packed = await read(0, common.url);
    expect(plain.catalog.positional).toBe(false);
    expect(packed.catalog.positional).toBe(true);
    const text = footerJson(packed.catalog.objects);
    expect(text).toBe(JSON.stringify(plain.catalog.objects));
    // What the check looks at is there: parts merged, a view moved to post-data, a shell not used.
    const objects = JSON.parse(text) as { id: string; section: string; deps: string[] }[];
    const byId = new Map(objects.map((o) => [o.id, o]));
    expect(byId.get('table:app.customer')?.deps).toContain('function:app.positive(v integer)');
    expect(byId.get('view:app.customer_orders')?.section).toBe('post-data');
    expect(byId.has('constraint:app.customer.customer_name_check')).toBe(false);
    expect(packed.warnings).toEqual(plain.warnings);
  }, 180_000);
});
