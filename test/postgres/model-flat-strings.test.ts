// The schema model a backup keeps until its footer is written (issue 14: peak memory with
// thousands of tables): the statements and ids of the objects every table brings are flat
// strings, not trees of concatenation nodes over their pieces, and the readers' own fields
// (catalog keys, the closures that rebuild a table without its checks) are not kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgObject, PostgresSchema } from '../../src/engines/postgres/model.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { isFlatString } from '../support/v8-strings.js';
import { backupToMemory } from './support.js';

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('model_flat');
  // The shape of the many-table benchmark: a key, a default, an index and a foreign key per table.
  await withPgClient(db.url, (c) =>
    c.query(`
      CREATE TABLE public.parent_table (id integer PRIMARY KEY, label text NOT NULL,
        created timestamptz NOT NULL DEFAULT now(), CHECK (length(label) < 100));
      CREATE TABLE public.child_table (id integer PRIMARY KEY, parent_id integer
        CONSTRAINT child_table_parent REFERENCES public.parent_table (id), label text NOT NULL);
      CREATE INDEX child_table_label ON public.child_table (label);
    `),
  );
});

afterAll(async () => {
  await db?.drop();
});

/** Every string an object keeps that grows with the number of tables. */
function keptStrings(o: PgObject): string[] {
  return [o.id, o.name, ...o.sql, ...(o.drop ? [o.drop] : []), ...(o.owner ?? []), ...o.deps];
}

describe('the schema model of a backup', () => {
  it.skipIf(!isFlatString)(
    'keeps the statements and ids of tables, defaults, keys, foreign keys and indexes as flat strings',
    async () => {
      const isFlat = isFlatString as (s: string) => boolean;
      const { result } = await backupToMemory(db.url, { schemaOnly: true });
      const objects = (result.schema as PostgresSchema).objects;
      const perTable = objects.filter((o) =>
        ['table', 'default', 'constraint', 'foreign-key', 'index'].includes(o.kind),
      );
      expect(perTable.map((o) => o.kind).sort()).toEqual([
        'constraint',
        'constraint',
        'default',
        'foreign-key',
        'index',
        'table',
        'table',
      ]);
      // Strings V8 makes flat anyway (under 13 characters) prove nothing: there are long ones here.
      const long = perTable.flatMap(keptStrings).filter((s) => s.length >= 13);
      expect(long.length).toBeGreaterThan(20);
      expect(long.filter((s) => !isFlat(s))).toEqual([]);
    },
    60_000,
  );

  it('does not keep the readers’ catalog keys and check-splitting closures', async () => {
    const { result } = await backupToMemory(db.url, { schemaOnly: true });
    for (const o of (result.schema as PostgresSchema).objects as (PgObject & Record<string, unknown>)[]) {
      expect([o.id, o.keys, o.detachable, o.shell]).toEqual([o.id, undefined, undefined, undefined]);
    }
  }, 60_000);

  it('clears those fields without adding them to objects that never had them', async () => {
    // Assigning a field an object lacks adds it, and the object grows a property store of its own
    // (100,000 of them with 20,000 tables). The tables reader gives every table `detachable`
    // (undefined without a CHECK to split); no other object here had it, and none had a shell.
    const { result } = await backupToMemory(db.url, { schemaOnly: true });
    const objects = (result.schema as PostgresSchema).objects;
    const had = (o: PgObject) => o.kind === 'table';
    expect(objects.filter(had)).toHaveLength(2);
    expect(objects.filter((o) => !had(o)).length).toBeGreaterThan(4);
    for (const o of objects) {
      expect([o.id, Object.hasOwn(o, 'detachable'), Object.hasOwn(o, 'shell')]).toEqual([
        o.id,
        had(o),
        false,
      ]);
    }
  }, 60_000);
});
