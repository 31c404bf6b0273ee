/**
 * The PostgreSQL bench dataset (issue 3): `pgbench -i -s SCALE` (four tables,
 * 100,000 × SCALE accounts) plus a mixed-type table of ROWS rows (uuid,
 * timestamptz, text, numeric, text[], jsonb, bytea). Defaults: scale 30 and
 * 1,000,000 rows, about 0.6 GB of table data.
 *
 *   npx tsx bench/postgres-dataset.ts --url postgres://USER:PW@HOST:PORT/DB [--scale 30] [--rows 1000000]
 *
 * The database must exist; the dataset's tables are replaced. Generating it
 * uses pgbench (from the PostgreSQL binaries) and SQL: bench-side only, the
 * product never runs server tools.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

export interface PostgresDatasetOptions {
  /** pgbench scale factor (100,000 accounts each). */
  scale?: number;
  /** Rows in the mixed-type table. */
  rows?: number;
  log?: (line: string) => void;
}

export interface PostgresDatasetInfo {
  tables: string[];
  /** pg_table_size of all dataset tables (heap + TOAST), bytes. */
  tableBytes: number;
  rows: number;
}

/** The bench's own tables, for COPY-ceiling measurements. */
export const DATASET_TABLES = [
  'pgbench_accounts',
  'pgbench_branches',
  'pgbench_history',
  'pgbench_tellers',
  'bench_mixed',
];

/** The binaries folder that holds pgbench (and pg_dump/psql for the comparisons). */
export function findPgBinDir(): string {
  const fromEnv = process.env.STOWAGE_PG_BIN_DIR;
  if (fromEnv && existsSync(join(fromEnv, 'pgbench'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'pgbench')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('pgbench not found: install PostgreSQL or set STOWAGE_PG_BIN_DIR');
  return join(base, versions[0], 'bin');
}

/** Creates (or replaces) the dataset in the database at `url`. */
export async function generatePostgresDataset(
  url: string,
  options: PostgresDatasetOptions = {},
): Promise<PostgresDatasetInfo> {
  const scale = options.scale ?? 30;
  const rows = options.rows ?? 1_000_000;
  const log = options.log ?? (() => {});
  log(`pgbench -i -s ${scale}`);
  const bench = spawnSync(join(findPgBinDir(), 'pgbench'), ['-i', '-q', '-s', String(scale), url], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (bench.status !== 0) throw new Error(`pgbench -i failed: ${bench.stderr}`);

  log(`bench_mixed: ${rows} rows`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      DROP TABLE IF EXISTS bench_mixed;
      CREATE TABLE bench_mixed (
        id bigint PRIMARY KEY,
        uid uuid NOT NULL,
        at timestamptz NOT NULL,
        label text,
        amount numeric(14, 4),
        tags text[],
        doc jsonb,
        payload bytea
      )`);
    // In slices, so no single statement holds the whole table in a sort or a WAL burst.
    const slice = 250_000;
    for (let from = 1; from <= rows; from += slice) {
      const to = Math.min(rows, from + slice - 1);
      await client.query(
        `INSERT INTO bench_mixed
         SELECT i,
           md5(i::text)::uuid,
           '2020-01-01 00:00:00+00'::timestamptz + i * interval '37 seconds',
           CASE WHEN i % 17 = 0 THEN NULL ELSE 'customer ' || i || ' ' || substr(md5((i * 7)::text), 1, ((i % 24) + 4)::int) END,
           round((i % 100000) * 1.37 + (i % 13) / 7.0, 4),
           ARRAY['tag' || (i % 11), 'tag' || (i % 29), 'group-' || (i % 5)],
           jsonb_build_object('id', i, 'kind', 'k' || (i % 9), 'score', (i % 1000) / 10.0, 'flags', jsonb_build_array(i % 2 = 0, i % 3 = 0)),
           decode(md5(i::text) || md5((i + 1)::text), 'hex')
         FROM generate_series($1::bigint, $2::bigint) i`,
        [from, to],
      );
    }
    await client.query('VACUUM ANALYZE');
    const { rows: size } = await client.query<{ bytes: string; rows: string }>(
      `SELECT sum(pg_table_size(c.oid))::text AS bytes, sum(c.reltuples)::bigint::text AS rows FROM pg_class c WHERE c.relname = ANY($1::text[])`,
      [DATASET_TABLES],
    );
    return {
      tables: DATASET_TABLES,
      tableBytes: Number(size[0]?.bytes ?? 0),
      rows: Number(size[0]?.rows ?? 0),
    };
  } finally {
    await client.end();
  }
}

/** True when the database already holds the dataset at this size (to skip regenerating). */
export async function datasetPresent(url: string, options: PostgresDatasetOptions = {}): Promise<boolean> {
  const scale = options.scale ?? 30;
  const rows = options.rows ?? 1_000_000;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: r } = await client.query<{ branches: string | null; mixed: string | null }>(
      `SELECT (SELECT count(*) FROM pgbench_branches)::text AS branches, (SELECT count(*) FROM bench_mixed)::text AS mixed`,
    );
    return Number(r[0]?.branches) === scale && Number(r[0]?.mixed) === rows;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      scale: { type: 'string', default: '30' },
      rows: { type: 'string', default: '1000000' },
    },
  });
  if (!values.url) {
    console.error(
      'usage: npx tsx bench/postgres-dataset.ts --url postgres://USER:PW@HOST:PORT/DB [--scale 30] [--rows 1000000]',
    );
    process.exit(2);
  }
  const info = await generatePostgresDataset(values.url, {
    scale: Number(values.scale),
    rows: Number(values.rows),
    log: (l) => console.error(`[dataset] ${l}`),
  });
  console.log(JSON.stringify(info));
}
