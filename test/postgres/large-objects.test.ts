// Large objects: contents, OIDs, comments, owners and privileges survive; selections leave them out.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { StowageError } from '../../src/errors.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory, restoreFromMemory, tableChecksums } from './support.js';

/** Every large object: OID, owner, size, MD5 of the contents, comment and ACL, read independently of the engine. */
async function largeObjects(url: string): Promise<string[]> {
  return withPgClient(url, async (c) => {
    const { rows } = await c.query<{ l: string }>(
      `SELECT m.oid || '|' || pg_get_userbyid(m.lomowner) || '|' || length(lo_get(m.oid)) || '|' || md5(lo_get(m.oid))
         || '|' || coalesce(obj_description(m.oid, 'pg_largeobject'), '-') || '|' || coalesce(m.lomacl::text, '-') AS l
       FROM pg_largeobject_metadata m ORDER BY m.oid`,
    );
    return rows.map((r) => r.l);
  });
}

const ROLE = 'stowage_lo_owner';

describe('postgres large objects', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];
  const fresh = async (prefix: string) => {
    const db = await createPgDatabase(prefix);
    created.push(db);
    return db;
  };
  // A few MiB of varied bytes: more than one restore chunk, and not compressible into nothing.
  const big = Buffer.concat(
    Array.from({ length: 160 }, (_, i) => createHash('sha512').update(String(i)).digest()),
  ).toString('hex');

  beforeAll(async () => {
    source = await createPgDatabase('pg_lo_src');
    await withPgClient(source.url, async (c) => {
      await c.query(`DO $$ BEGIN CREATE ROLE ${ROLE}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      await c.query(`
        CREATE TABLE docs (id int PRIMARY KEY, body oid);
        SELECT lo_from_bytea(900001, ''::bytea);
        SELECT lo_from_bytea(900002, 'hello, large object'::bytea);
        SELECT lo_from_bytea(900003, decode(repeat('${big}', 250), 'hex'));
        SELECT lo_from_bytea(0, '\\x00ff00ff'::bytea);
        COMMENT ON LARGE OBJECT 900002 IS 'a greeting';
        ALTER LARGE OBJECT 900003 OWNER TO ${ROLE};
        GRANT SELECT ON LARGE OBJECT 900002 TO ${ROLE};
        INSERT INTO docs SELECT 1, 900002;
      `);
      // Many small ones: several creation batches on restore.
      await c.query(
        `SELECT lo_from_bytea(910000 + g, convert_to(repeat('x', g), 'UTF8')) FROM generate_series(1, 1500) g`,
      );
    });
  });
  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  it('backs up every large object and restores them with their OIDs and contents', async () => {
    const expected = await largeObjects(source.url);
    expect(expected).toHaveLength(1504);
    const big3 = expected.find((l) => l.startsWith('900003|'));
    expect(Number(big3?.split('|')[2])).toBeGreaterThan(2 * 1024 * 1024);

    const backup = await backupToMemory(source.url);
    const schema = backup.result.schema as PostgresSchema;
    expect(schema.largeObjects?.count).toBe(1504);
    expect(backup.streams.data.get('$large-objects')?.items).toBe(1504);
    expect(backup.result.warnings.join('\n')).not.toMatch(/large objects/);

    // With --no-owner --no-acl, objects belong to the restoring user and keep no grants; comments stay.
    const plain = await fresh('pg_lo_plain');
    await restoreFromMemory(plain.url, backup, { owner: false, acl: false });
    const restored = await largeObjects(plain.url);
    const strip = (l: string) =>
      l
        .split('|')
        .filter((_, i) => i !== 1 && i !== 5)
        .join('|');
    expect(restored.map(strip)).toEqual(expected.map(strip));
    expect(restored.find((l) => l.startsWith('900002|'))).toMatch(/\|a greeting\|-$/);
    expect(await tableChecksums(plain.url)).toEqual(await tableChecksums(source.url));

    // Records cut anywhere by the reads (archive frames end where they end) parse the same.
    const entry = backup.streams.data.get('$large-objects');
    if (!entry) throw new Error('no large object stream');
    const whole = Buffer.concat(entry.chunks);
    const sizes = [1, 2, 3, 5, 7, 997, 65_536, 4];
    entry.chunks = [];
    for (let at = 0, i = 0; at < whole.length; i++) {
      const n = sizes[i % sizes.length] as number;
      entry.chunks.push(whole.subarray(at, at + n));
      at += n;
    }
    const recut = await fresh('pg_lo_recut');
    await restoreFromMemory(recut.url, backup, { owner: false, acl: false });
    expect((await largeObjects(recut.url)).map(strip)).toEqual(expected.map(strip));

    // By default (like pg_restore), owners and privileges too.
    const owned = await fresh('pg_lo_owner');
    await restoreFromMemory(owned.url, backup);
    expect(await largeObjects(owned.url)).toEqual(expected);

    // Restoring again over them is refused object by object, and --clean replaces them.
    const err = await restoreFromMemory(owned.url, backup, { dataOnly: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect((err as Error).message).toMatch(/large object .*already exists|duplicate key/);
    await restoreFromMemory(owned.url, backup, { dataOnly: true, clean: true, owner: true });
    expect(await largeObjects(owned.url)).toEqual(expected);
  });

  it('leaves large objects out of a selection, saying so, unless asked', async () => {
    const selected = await backupToMemory(source.url, { includeTables: ['docs'] });
    expect((selected.result.schema as PostgresSchema).largeObjects).toBeUndefined();
    expect(selected.result.warnings.join('\n')).toMatch(/1504 large objects not backed up .*selection/);

    const asked = await backupToMemory(source.url, { includeTables: ['docs'], largeObjects: true });
    expect((asked.result.schema as PostgresSchema).largeObjects?.count).toBe(1504);

    // A selective restore of a full backup leaves them out too.
    const full = await backupToMemory(source.url);
    const target = await fresh('pg_lo_sel');
    await restoreFromMemory(target.url, full, { includeTables: ['docs'] });
    expect(await largeObjects(target.url)).toEqual([]);
  });
});
