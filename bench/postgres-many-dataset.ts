/**
 * The many-tables dataset (issue 14): N small tables `t00001…`, each with
 * an integer primary key, a secondary index, a foreign key and ROWS rows,
 * the shape of test-suite databases and of real schemas with thousands of
 * tables. With ROWS = 0 the tables are empty (the "20,000 empty tables" case).
 *
 *   npx tsx bench/postgres-many-dataset.ts --url postgres://USER:PW@HOST:PORT/DB --tables 3000 [--rows 50]
 *
 * Every table but the first references another one, t(i) → t(⌊i/2⌋), so the
 * foreign keys form a tree: restoring them needs every referenced table's
 * primary key first, which exercises dependency ordering without a cycle.
 * The database must exist; its `public` schema is replaced. Bench-side only.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';

export interface ManyTablesOptions {
  tables: number;
  rows: number;
  log?: (line: string) => void;
}

/** Table i's name: zero-padded, so names sort in creation order. */
export const manyTableName = (i: number): string => `t${String(i).padStart(5, '0')}`;

/** Whether the database at `url` holds this dataset (its marker comment and table count). */
export async function manyTablesPresent(url: string, options: ManyTablesOptions): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string; marker: string | null }>(
      `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r')::text AS n,
              obj_description('public'::regnamespace, 'pg_namespace') AS marker`,
    );
    return Number(rows[0]?.n) === options.tables && rows[0]?.marker === marker(options);
  } finally {
    await client.end();
  }
}

const marker = (o: ManyTablesOptions) => `stowage bench many-tables ${o.tables}x${o.rows}`;

/** Replaces the `public` schema of the database at `url` with the dataset. */
export async function generateManyTables(url: string, options: ManyTablesOptions): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
    const batch = 500;
    for (let from = 1; from <= options.tables; from += batch) {
      const to = Math.min(options.tables, from + batch - 1);
      // One server-side loop per batch: thousands of client round trips would make preparing slower than timing.
      await client.query(`DO $$
        DECLARE name text; parent text;
        BEGIN
          FOR i IN ${from}..${to} LOOP
            name := 't' || lpad(i::text, 5, '0');
            parent := 't' || lpad(greatest(i / 2, 1)::text, 5, '0');
            EXECUTE format('CREATE TABLE %I (id integer PRIMARY KEY, parent_id integer, label text NOT NULL, created timestamptz NOT NULL DEFAULT now())', name);
            EXECUTE format('CREATE INDEX %I ON %I (label)', name || '_label', name);
            EXECUTE format('INSERT INTO %I (id, parent_id, label) SELECT g, CASE WHEN %s > 1 THEN 1 + g %% ${Math.max(1, options.rows)} END, md5(g::text) FROM generate_series(1, ${options.rows}) g', name, i);
            IF i > 1 THEN
              EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (parent_id) REFERENCES %I (id)', name, name || '_parent', parent);
            END IF;
          END LOOP;
        END $$`);
      options.log?.(`created tables ${from}..${to} of ${options.tables}`);
    }
    await client.query(`COMMENT ON SCHEMA public IS '${marker(options)}'`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, tables: { type: 'string' }, rows: { type: 'string' } },
  });
  if (!values.url || !values.tables) {
    console.error('usage: postgres-many-dataset.ts --url URL --tables N [--rows 50]');
    process.exit(2);
  }
  await generateManyTables(values.url, {
    tables: Number(values.tables),
    rows: Number(values.rows ?? 50),
    log: console.error,
  });
}
