// Big tables copied in block ranges by several jobs, and loaded back part by part.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { MAX_PARTS_PER_TABLE, partFilter, planParts } from '../../src/engines/postgres/table-parts.js';
import type { ProgressEvent } from '../../src/progress.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory, restoreFromMemory, tableChecksums } from './support.js';

const table = (bytes: number, rows = 1000, columns = 2) => ({
  streams: ['public.t'],
  estimatedRows: rows,
  estimatedBytes: bytes,
  columns: Array.from({ length: columns }, (_, i) => ({ name: `c${i}`, type: 'integer' })),
});

describe('planning table parts', () => {
  const MiB = 1024 * 1024;

  it('keeps a table under twice the part size whole', () => {
    expect(planParts(table(127 * MiB), (127 * MiB) / 8192, 8192, 64 * MiB)).toEqual([
      { stream: 'public.t', estimatedRows: 1000, estimatedBytes: 127 * MiB },
    ]);
  });

  it('cuts a big table into contiguous block ranges, the last one open-ended', () => {
    const blocks = 50_001;
    const parts = planParts(table(blocks * 8192, 3000), blocks, 8192, 100 * 8192);
    // At most MAX_PARTS_PER_TABLE whole parts, then the last stretch cut finer.
    expect(parts.length).toBeGreaterThan(MAX_PARTS_PER_TABLE);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS_PER_TABLE + 4);
    expect(parts.map((p) => p.stream)).toEqual(parts.map((_, i) => `public.t#${i + 1}`));
    expect(parts[0]?.fromBlock).toBe(0);
    for (let i = 1; i < parts.length; i++) expect(parts[i]?.fromBlock).toBe(parts[i - 1]?.toBlock);
    expect(parts.at(-1)?.toBlock).toBeUndefined();
    expect(partFilter(parts.at(-1) as (typeof parts)[number])).not.toMatch(/ctid </);
    expect(parts.reduce((n, p) => n + p.estimatedRows, 0)).toBeCloseTo(3000, -2);
    expect(parts.reduce((n, p) => n + p.estimatedBytes, 0)).toBeCloseTo(blocks * 8192, -3);
  });

  it('cuts the last stretch finer, so the parts handed out last are small', () => {
    const MiB64 = (64 * MiB) / 8192;
    const blocks = 6 * MiB64;
    const parts = planParts(table(blocks * 8192), blocks, 8192, 64 * MiB);
    const sizes = parts.map((p) => (p.toBlock ?? blocks) - (p.fromBlock ?? 0));
    expect(sizes).toEqual([MiB64, MiB64, MiB64, MiB64, MiB64, MiB64 / 2, MiB64 / 4, MiB64 / 4]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(blocks);
  });

  it('never splits when splitting is off or the table has no columns', () => {
    expect(planParts(table(1e9), 1e9 / 8192, 8192, 0)).toHaveLength(1);
    expect(planParts(table(1e9, 10, 0), 1e9 / 8192, 8192, MiB)).toHaveLength(1);
  });
});

describe('postgres backup and restore of split tables', () => {
  let source: TestPgDatabase;
  let serverVersion = 0;
  const created: TestPgDatabase[] = [];
  const fresh = async (prefix: string) => {
    const db = await createPgDatabase(prefix);
    created.push(db);
    return db;
  };
  const PART = 256 * 1024;

  beforeAll(async () => {
    source = await createPgDatabase('pg_parts_src');
    await withPgClient(source.url, async (c) => {
      serverVersion = Number((await c.query('SHOW server_version_num')).rows[0].server_version_num);
      await c.query(`
        CREATE TABLE parent (id int PRIMARY KEY, payload text NOT NULL);
        INSERT INTO parent SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 20000) g;
        CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, note text);
        INSERT INTO child SELECT g, 1 + g % 20000, repeat('n', g % 300) FROM generate_series(1, 20000) g;
        -- Rows of an inheritance child must stay out of the parent's parts.
        CREATE TABLE base (id int, v text);
        CREATE TABLE derived (extra int) INHERITS (base);
        INSERT INTO base SELECT g, repeat('b', 200) FROM generate_series(1, 8000) g;
        INSERT INTO derived SELECT g, repeat('d', 200), g FROM generate_series(1, 8000) g;
        -- Holes from deleted rows: parts are block ranges, not row counts.
        DELETE FROM parent WHERE id % 7 = 0 AND id NOT IN (SELECT parent_id FROM child);
        CREATE TABLE small (id int);
        INSERT INTO small VALUES (1), (2);
      `);
    });
  });
  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  it('copies big tables in parts on several jobs and restores them equal', async (ctx) => {
    if (serverVersion < 140000) {
      console.log(`skipped: PostgreSQL ${serverVersion} has no TID range scans, so tables are never split`);
      ctx.skip();
    }
    const events: ProgressEvent[] = [];
    const backup = await backupToMemory(source.url, { splitTableBytes: PART }, 2, events);
    const schema = backup.result.schema as PostgresSchema;
    const streamsOf = (name: string) => schema.tables.find((t) => t.name === name)?.streams ?? [];
    for (const name of ['parent', 'child', 'base']) {
      expect(streamsOf(name).length, name).toBeGreaterThan(1);
      expect(streamsOf(name).every((s, i) => s === `public.${name}#${i + 1}`)).toBe(true);
    }
    expect(streamsOf('small')).toEqual(['public.small']);
    // Every part is an archive stream of its own, and the parts hold every row once.
    const rowsIn = (name: string) =>
      streamsOf(name).reduce((n, s) => n + (backup.streams.data.get(s)?.items ?? Number.NaN), 0);
    const counts = await withPgClient(source.url, async (c) => {
      const q = async (sql: string) => Number((await c.query(sql)).rows[0].n);
      return {
        parent: await q('SELECT count(*) AS n FROM parent'),
        child: await q('SELECT count(*) AS n FROM child'),
        base: await q('SELECT count(*) AS n FROM ONLY base'),
      };
    });
    expect({ parent: rowsIn('parent'), child: rowsIn('child'), base: rowsIn('base') }).toEqual(counts);
    const planned = events.find((e) => e.type === 'plan');
    expect(planned?.type === 'plan' && planned.units.map((u) => u.name)).toEqual(
      expect.arrayContaining(streamsOf('parent')),
    );

    const target = await fresh('pg_parts_full');
    const restored = await restoreFromMemory(target.url, backup, {}, 2);
    expect(restored.items['public.parent']).toBe(counts.parent);
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));

    // Data-only loads parts too, parents before children.
    const schemaOnly = await fresh('pg_parts_data');
    await restoreFromMemory(schemaOnly.url, backup, { schemaOnly: true });
    await restoreFromMemory(schemaOnly.url, backup, { dataOnly: true }, 2);
    expect(await tableChecksums(schemaOnly.url)).toEqual(await tableChecksums(source.url));
  });

  it('copies every table whole with one job or with splitting off', async () => {
    for (const [jobs, options] of [
      [1, { splitTableBytes: PART }],
      [2, { splitTableBytes: 0 }],
    ] as const) {
      const backup = await backupToMemory(source.url, options, jobs);
      expect([...backup.streams.data.keys()].sort()).toEqual([
        'public.base',
        'public.child',
        'public.derived',
        'public.parent',
        'public.small',
      ]);
    }
  });
});
