// A packed catalog resolved and ordered on positions (introspect/resolve-positions.ts) gives what
// the same objects resolved as objects give (depend.ts, cycles.ts, order.ts): the same order and
// the same JSON, deps and sections included; and it leaves the rarer cases to that path.
import { describe, expect, it } from 'vitest';
import { jsonPieceBytes } from '../../src/archive/json-pieces.js';
import {
  type CatalogContext,
  type CatalogObject,
  catalogKey,
} from '../../src/engines/postgres/introspect/context.js';
import {
  DEPTYPE,
  type DependLinks,
  linksFill,
  resolveDependencies,
} from '../../src/engines/postgres/introspect/depend.js';
import { IdNames } from '../../src/engines/postgres/introspect/id-names.js';
import { PackedCatalog } from '../../src/engines/postgres/introspect/packed-catalog.js';
import { PackedList } from '../../src/engines/postgres/introspect/packed-list.js';
import { PackedObject, packObject } from '../../src/engines/postgres/introspect/packed-object.js';
import { resolveAndOrder } from '../../src/engines/postgres/introspect/resolve-positions.js';
import type { ObjectKind, Section } from '../../src/engines/postgres/model.js';
import { orderObjects } from '../../src/engines/postgres/order.js';

const ctx = () => ({ warnings: [], incomplete: [] }) as unknown as CatalogContext;
const textOf = (value: unknown) => Buffer.concat([...jsonPieceBytes(value, 1024)]).toString('utf8');

function object(
  kind: ObjectKind,
  name: string,
  keys: number[],
  deps: string[] = [],
  section: Section = 'pre-data',
): CatalogObject {
  return { id: `${kind}:app.${name}`, kind, section, schema: 'app', name, sql: [`-- ${name} é`], deps, keys };
}

const cls = (oid: number) => catalogKey('pg_class', oid);
const con = (oid: number) => catalogKey('pg_constraint', oid);

/**
 * A catalog of the common kinds: tables with an inline check (a part), a view with a shell that
 * groups by a key (moves to post-data), foreign keys referencing tables, repeated and self links,
 * a row type internal to its table, a dep on an id no object has.
 */
function catalog(): { objects: CatalogObject[]; links: DependLinks } {
  const schema = { ...object('schema', 'app', [catalogKey('pg_namespace', 2200)]), id: 'schema:app' };
  const fn = object('function', 'positive(integer)', [catalogKey('pg_proc', 100)], ['schema:app']);
  const check = object('constraint', 'b.b_check', [con(300)], ['table:app.b'], 'post-data');
  const a = object('table', 'a', [cls(200)], ['schema:app']);
  const b = {
    ...object('table', 'b', [cls(210)], ['schema:app', 'extension:gone']),
    detachable: { parts: [check], sqlWithout: () => ['-- b without its check'] },
  };
  const key = object('constraint', 'a.a_pkey', [con(310)], ['table:app.a'], 'post-data');
  const view = {
    ...object('view', 'v', [cls(220)], ['schema:app']),
    shell: { id: 'view-shell:app.v' },
  };
  const later = object('view', 'w', [cls(230)], ['view:app.v']);
  const fk = {
    ...object('foreign-key', 'b.b_a_fk', [con(320)], [], 'post-data'),
    references: [{ schema: 'app', name: 'a' }],
  };
  const index = object('index', 'b_idx', [cls(240)], ['table:app.b'], 'post-data');
  const rows: [number, number, number][] = [
    [cls(200), catalogKey('pg_namespace', 2200), DEPTYPE.normal],
    [catalogKey('pg_type', 202), cls(200), DEPTYPE.internal],
    [cls(210), catalogKey('pg_type', 202), DEPTYPE.normal],
    [con(300), catalogKey('pg_proc', 100), DEPTYPE.normal],
    [con(300), cls(210), DEPTYPE.auto],
    [cls(220), cls(200), DEPTYPE.normal],
    [cls(220), con(310), DEPTYPE.normal],
    [con(320), cls(210), DEPTYPE.auto],
    [con(320), cls(210), DEPTYPE.auto],
    [con(320), cls(200), DEPTYPE.normal],
    [con(320), con(310), DEPTYPE.normal],
    [con(320), con(320), DEPTYPE.normal],
    [cls(240), cls(210), DEPTYPE.auto],
  ];
  const fill = linksFill(rows.length);
  rows.forEach(([from, to, type], i) => {
    fill.from[i] = from;
    fill.to[i] = to;
    fill.types[i] = type;
  });
  return {
    objects: [schema, fn, a, b, key, view, later, fk, index],
    links: { from: fill.from, to: fill.to, types: fill.types, userRelations: new Set([cls(200), cls(210)]) },
  };
}

/** The catalog resolved as objects, and packed then resolved on positions. */
function bothWays(change?: (objects: CatalogObject[], links: DependLinks) => void) {
  const plain = catalog();
  change?.(plain.objects, plain.links);
  const kept = resolveDependencies(ctx(), plain.objects, plain.links);
  const { ordered, cycles } = orderObjects(kept);
  const other = catalog();
  change?.(other.objects, other.links);
  const store = new PackedCatalog();
  const packed = other.objects.map((o) => packObject(store, o));
  return { ordered, cycles, resolved: resolveAndOrder(store, packed, other.links) };
}

/** What the schema stores of an object (read-catalog.ts `stored`): a packed one is that already. */
const stored = (o: CatalogObject) =>
  o instanceof PackedObject ? o : { ...o, keys: undefined, detachable: undefined, shell: undefined };

describe('a packed catalog resolved on positions', () => {
  it('gives the order and JSON of the same catalog resolved as objects', () => {
    const { ordered, cycles, resolved } = bothWays();
    expect(cycles).toEqual([]);
    expect(resolved).toBeDefined();
    expect(resolved!.ordered.map((o) => o.id)).toEqual(ordered.map((o) => o.id));
    expect(textOf(new PackedList(resolved!.ordered.map(stored)))).toBe(JSON.stringify(ordered.map(stored)));
    // What is checked is there: the part merged into its table, the view moved, the repeats gone.
    const byId = new Map(ordered.map((o) => [o.id, o]));
    expect(byId.has('constraint:app.b.b_check')).toBe(false);
    expect(byId.get('table:app.b')!.deps).toEqual([
      'schema:app',
      'extension:gone',
      'table:app.a',
      'function:app.positive(integer)',
    ]);
    expect(byId.get('view:app.v')!.section).toBe('post-data');
    expect(byId.get('foreign-key:app.b.b_a_fk')!.deps).toEqual([
      'table:app.b',
      'table:app.a',
      'constraint:app.a.a_pkey',
    ]);
  });

  it('leaves an object left out, a refresh and a cycle to the objects path', () => {
    // A foreign key to a table not in the backup.
    expect(
      bothWays((objects) => {
        (objects[7] as CatalogObject).references = [{ schema: 'app', name: 'gone' }];
      }).resolved,
    ).toBeUndefined();
    // A dependency on a user relation not in the backup.
    expect(
      bothWays((_, links) => {
        links.to[0] = cls(999);
        links.userRelations.add(cls(999));
      }).resolved,
    ).toBeUndefined();
    expect(
      bothWays((objects) => {
        objects.push(object('refresh', 'm', [], []));
      }).resolved,
    ).toBeUndefined();
    // The table needs the view, which needs the table (the view's shell would break it).
    expect(
      bothWays((objects) => {
        objects[2]!.deps = [...objects[2]!.deps, 'view:app.v'];
      }).resolved,
    ).toBeUndefined();
  });
});

describe('IdNames', () => {
  it('gives each distinct text one number and the text back, past its first sizes', () => {
    const names = new IdNames();
    const texts = Array.from({ length: 5000 }, (_, i) => `table:s${i % 7}.t_${i} ${'é😀'.repeat(i % 3)}`);
    const numbers = texts.map((t) => names.intern(t));
    expect(new Set(numbers).size).toBe(texts.length);
    expect(texts.map((t) => names.intern(t))).toEqual(numbers);
    expect(numbers.map((n) => names.text(n))).toEqual(texts);
    expect(names.lookup('table:none')).toBe(-1);
    expect(names.lookup(texts[4321]!)).toBe(numbers[4321]);
    expect(names.intern('x'.repeat(5000))).toBe(texts.length);
    expect(names.text(texts.length)).toBe('x'.repeat(5000));
  });
});
