// A schema object packed as its reader builds it (introspect/packed-object.ts) writes the JSON
// the object itself would, after the deps resolving added and a section ordering moved.
import { describe, expect, it } from 'vitest';
import { jsonPieceBytes } from '../../src/archive/json-pieces.js';
import type { CatalogObject } from '../../src/engines/postgres/introspect/context.js';
import { PackedCatalog } from '../../src/engines/postgres/introspect/packed-catalog.js';
import { PackedList } from '../../src/engines/postgres/introspect/packed-list.js';
import {
  PackedObject,
  packObject,
  unpackedObject,
} from '../../src/engines/postgres/introspect/packed-object.js';

const textOf = (value: unknown) => Buffer.concat([...jsonPieceBytes(value, 1024)]).toString('utf8');

function objects(): CatalogObject[] {
  return [
    {
      id: 'table:app.t',
      kind: 'table',
      section: 'pre-data',
      schema: 'app',
      name: 't',
      relation: { schema: 'app', name: 't' },
      sql: [
        'CREATE TABLE app.t (\n    id integer NOT NULL, "deps" text DEFAULT \'"deps":[]\'\n)',
        "COMMENT ON TABLE app.t IS 'é😀'",
      ],
      drop: 'DROP TABLE IF EXISTS app.t',
      owner: ['ALTER TABLE app.t OWNER TO "o\\""'],
      acl: [],
      // (An id JSON escapes, and one it does not.)
      deps: ['schema:app', 'type:app."q\\t" é'],
      keys: [1, 2],
    },
    {
      id: 'foreign-key:app.t.t_fk',
      kind: 'foreign-key',
      section: 'post-data',
      schema: 'app',
      name: 't.t_fk',
      relation: { schema: 'app', name: 't' },
      references: [{ schema: 'app', name: 'u' }],
      sql: ['ALTER TABLE ONLY app.t ADD CONSTRAINT t_fk FOREIGN KEY (id) REFERENCES app.u(id)'],
      deps: [],
      keys: [3],
      lock: 'exclusive',
    },
    {
      id: 'function:app.f()',
      kind: 'function',
      section: 'pre-data',
      schema: 'app',
      name: 'f()',
      sql: ['CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS $$SELECT 1$$'],
      deps: ['schema:app'],
      keys: [4],
      secret: true,
    },
  ];
}

/** What read-catalog.ts stores of an object: its keys cleared. */
const stored = (o: CatalogObject) => ({ ...o, keys: undefined });

describe('packed schema objects', () => {
  it('write the JSON of the objects they stand for, with the deps and section they have at the end', () => {
    const store = new PackedCatalog();
    const plain = objects();
    const packed = objects().map((o) => packObject(store, o));
    expect(packed.every((o) => o instanceof PackedObject)).toBe(true);
    // What resolving and ordering do to them: deps replaced and added, a section moved.
    for (const list of [plain, packed]) {
      list[0]!.deps = [...list[0]!.deps, 'function:app.f()'];
      list[1]!.deps = ['table:app.t', 'table:app.u'];
      list[2]!.section = 'post-data';
    }
    expect(packed[1]!.references).toEqual([{ schema: 'app', name: 'u' }]);
    expect(packed[0]!.keys).toEqual([1, 2]);
    const expected = JSON.stringify(plain.map(stored));
    expect(textOf(new PackedList(packed))).toBe(expected);
    expect(JSON.stringify(new PackedList(packed))).toBe(expected);
    expect(JSON.stringify(packed.map(unpackedObject))).toBe(expected);
    // Fields other than those ordering works on are read from the text.
    expect(packed[0]!.sql).toEqual(plain[0]!.sql);
    expect(packed[2]!.name).toBe('f()');
  });

  it('leaves objects whose statements resolving may rewrite as they are', () => {
    const store = new PackedCatalog();
    const [table] = objects();
    const detachable = { ...table!, detachable: { parts: [], sqlWithout: () => [] } };
    const refresh = { ...table!, id: 'refresh:app.m', kind: 'refresh' as const };
    expect(packObject(store, detachable)).toBe(detachable);
    expect(packObject(store, refresh)).toBe(refresh);
    expect(store.count).toBe(0);
  });

  it('keeps the resolved deps and lets go of the keys and own deps once resolved', () => {
    const store = new PackedCatalog();
    const packed = objects().map((o) => packObject(store, o) as PackedObject);
    const name = (id: string) => store.names.intern(id);
    // Resolving gives more names than the objects had of their own (`total` is a count, not a bound).
    const resolved = [['schema:app', 'function:app.f()', 'type:x'], ['table:app.t', 'table:app.u'], []];
    store.resolve((b, push) => {
      for (const id of resolved[b]!) push(name(id));
    }, 1);
    expect(packed.map((o) => o.deps)).toEqual(resolved);
    expect(packed[1]!.references).toEqual([{ schema: 'app', name: 'u' }]);
    // Only resolving reads them: what the data phase and the footer would hold is gone.
    expect(() => packed[0]!.keys).toThrow(/no catalog keys/);
  });
});
