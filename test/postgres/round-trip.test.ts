// Back up the full fixture (every data type, every object kind, extensions,
// TOAST, a largish table), restore it into a fresh database, and prove the two
// are equal: catalog contents, pg_dump --schema-only output, table data and
// sequence values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import type { ProgressEvent } from '../../src/progress.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgServer } from '../support/servers.js';
import {
  backupToMemory,
  catalogSnapshot,
  findPgDump,
  loadFixtures,
  pgDumpSchema,
  restoreFromMemory,
  sequenceValues,
  tableChecksums,
} from './support.js';

describe('postgres engine round trip', () => {
  let source: TestPgDatabase;
  let backup: Awaited<ReturnType<typeof backupToMemory>>;
  const backupEvents: ProgressEvent[] = [];
  const created: TestPgDatabase[] = [];
  let sourceCatalog: string[];
  let sourceData: Record<string, string>;

  beforeAll(async () => {
    source = await createPgDatabase('pg_rt_src');
    await loadFixtures(source.url);
    backup = await backupToMemory(source.url, {}, 2, backupEvents);
    sourceCatalog = await catalogSnapshot(source.url, true);
    sourceData = await tableChecksums(source.url);
  });

  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  const fresh = async (prefix: string) => {
    const db = await createPgDatabase(prefix);
    created.push(db);
    return db;
  };

  it('writes one stream per table with row counts, and a schema section', () => {
    const schema = backup.result.schema as PostgresSchema;
    expect(schema.format).toBe('stowage-postgres');
    expect(backup.result.pointInTime).toBe(true);
    const big = backup.streams.data.get('app.big');
    expect(big?.items).toBe(150000);
    expect(backup.streams.data.get('app.empty_table')?.items).toBe(0);
    expect(backup.streams.data.get('app.no_columns')?.items).toBe(0);
    expect(backup.streams.data.get('"Mixed Case"."Order Items"')?.items).toBe(2);
    expect(backup.streams.data.get('"ünïcödé"."tâble"')?.items).toBe(2);
    expect(backup.streams.data.get('app.blobs')?.items).toBe(3);
    // Partitioned parents hold no rows; each leaf partition is its own stream.
    expect(backup.streams.data.has('app.events')).toBe(false);
    expect(backup.streams.data.get('app.events_2024_other')?.items).toBe(1);
    // Tables whose types cannot travel in binary between databases use text COPY.
    const formats = Object.fromEntries(schema.tables.map((t) => [t.streams[0], t.format]));
    expect(formats['types.all_types']).toBe('binary');
    expect(formats['app.big']).toBe('binary');
    expect(formats['types.oid_embedding']).toBe('text');
    expect(formats['ext.kv']).toBe('text');
    expect(formats['app.orders']).toBe('text');
    expect(backup.result.warnings).toEqual([]);
  });

  it('reports progress per table', () => {
    const done = backupEvents.filter((e) => e.type === 'unit-done');
    expect(done.map((e) => e.name)).toContain('app.big');
    const plan = backupEvents.find((e) => e.type === 'plan');
    expect(plan?.type === 'plan' && plan.units.length).toBe(done.length);
    const big = done.find((e) => e.name === 'app.big');
    expect(big?.type === 'unit-done' && big.items).toBe(150000);
  });

  it('restores schema, data, sequences and ownership exactly', async () => {
    const target = await fresh('pg_rt_full');
    const events: ProgressEvent[] = [];
    const result = await restoreFromMemory(target.url, backup, { owner: true }, 3, events);
    expect(result.warnings).toEqual([]);
    expect(result.items['app.big']).toBe(150000);
    expect(await catalogSnapshot(target.url, true)).toEqual(sourceCatalog);
    expect(await tableChecksums(target.url)).toEqual(sourceData);
    expect(await sequenceValues(target.url)).toEqual(await sequenceValues(source.url));
    const pgDump = findPgDump(pgServer().version);
    if (pgDump) expect(pgDumpSchema(pgDump, target.url)).toEqual(pgDumpSchema(pgDump, source.url));
    expect(events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.phase)).toEqual([
      'connect',
      'pre-data',
      'data',
      'post-data',
      'owner',
      'done',
    ]);
  });

  it('without owner and acl, restores everything but ownership and grants (one job)', async () => {
    const target = await fresh('pg_rt_noowner');
    await restoreFromMemory(target.url, backup, { owner: false, acl: false }, 1);
    expect(await catalogSnapshot(target.url, false)).toEqual(await catalogSnapshot(source.url, false));
    expect(await tableChecksums(target.url)).toEqual(sourceData);
    const pgDump = findPgDump(pgServer().version);
    if (pgDump) {
      const args = ['--no-owner', '--no-privileges'];
      expect(pgDumpSchema(pgDump, target.url, args)).toEqual(pgDumpSchema(pgDump, source.url, args));
    }
    // Restored rows behave: identity continues, defaults fire, constraints hold.
    await withPgClient(target.url, async (client) => {
      const { rows } = await client.query(
        `INSERT INTO app.customers (email, name) VALUES ('dan@example.com', 'Dan') RETURNING id, code`,
      );
      expect(rows[0]).toEqual({ id: '130', code: 'C-2000' });
      await expect(
        client.query(`INSERT INTO app.orders (customer_id, total) VALUES (999, 1)`),
      ).rejects.toThrow(/foreign key/);
      await expect(
        client.query(`INSERT INTO app.bookings VALUES (3, 1, '[2024-01-01 10:30,2024-01-01 10:45)')`),
      ).rejects.toThrow(/exclusion/);
    });
  });

  it('restores in a single transaction', async () => {
    const target = await fresh('pg_rt_single');
    await restoreFromMemory(target.url, backup, { singleTransaction: true, owner: true }, 4);
    expect(await catalogSnapshot(target.url, true)).toEqual(sourceCatalog);
    expect(await tableChecksums(target.url)).toEqual(sourceData);
  });

  it('restores data of every built-in type byte for byte', async () => {
    const target = await fresh('pg_rt_types');
    await restoreFromMemory(target.url, backup, {}, 2);
    const read = (url: string) =>
      withPgClient(url, async (client) => {
        await client.query(`SET extra_float_digits = 3`);
        const { rows } = await client.query(
          `SELECT to_jsonb(t)::text AS j FROM types.all_types t ORDER BY id`,
        );
        const bin = await client.query(
          `SELECT c_bytea, c_double::text AS d, c_numeric::text AS n FROM types.all_types ORDER BY id`,
        );
        return { rows, bin: bin.rows };
      });
    expect(await read(target.url)).toEqual(await read(source.url));
  });
});
