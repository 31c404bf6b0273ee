// Turning pg_depend links into dependencies (issue 14: memory with thousands of tables). The links
// come in typed arrays; each object's dependencies come out distinct, without itself, in the order
// pg_depend gives them, as a list of exactly that many ids made once (not the list grown by push).
import { describe, expect, it, vi } from 'vitest';
import {
  type CatalogContext,
  type CatalogObject,
  catalogKey,
} from '../../src/engines/postgres/introspect/context.js';
import {
  DEPTYPE,
  exactDeps,
  linksFill,
  resolveDependencies,
} from '../../src/engines/postgres/introspect/depend.js';
import type { ObjectKind } from '../../src/engines/postgres/model.js';

function object(kind: ObjectKind, name: string, keys: number[]): CatalogObject {
  return {
    id: `${kind}:public.${name}`,
    kind,
    section: 'pre-data',
    schema: 'public',
    name,
    sql: [],
    deps: [],
    keys,
  };
}

const ctx = { warnings: [], incomplete: [] } as unknown as CatalogContext;

describe('resolveDependencies', () => {
  it('reads typed links into distinct dependencies, one new list per object', () => {
    const schema = object('schema', 'public', [catalogKey('pg_namespace', 2200)]);
    schema.id = 'schema:public';
    const a = object('table', 'a', [catalogKey('pg_class', 16400)]);
    const b = object('table', 'b', [catalogKey('pg_class', 16410)]);
    const fk = object('foreign-key', 'b_a_fk', [catalogKey('pg_constraint', 16420)]);
    const links: [number, number, number][] = [
      [catalogKey('pg_class', 16400), catalogKey('pg_namespace', 2200), DEPTYPE.normal],
      // The row type is internal to the table: claimed by it, a dependency on it is one on the table.
      [catalogKey('pg_type', 16402), catalogKey('pg_class', 16400), DEPTYPE.internal],
      [catalogKey('pg_class', 16410), catalogKey('pg_namespace', 2200), DEPTYPE.normal],
      [catalogKey('pg_class', 16410), catalogKey('pg_type', 16402), DEPTYPE.normal],
      // A foreign key names its table once per column, and the referenced one as well.
      [catalogKey('pg_constraint', 16420), catalogKey('pg_class', 16410), DEPTYPE.auto],
      [catalogKey('pg_constraint', 16420), catalogKey('pg_class', 16410), DEPTYPE.auto],
      [catalogKey('pg_constraint', 16420), catalogKey('pg_class', 16400), DEPTYPE.normal],
      [catalogKey('pg_constraint', 16420), catalogKey('pg_class', 16410), DEPTYPE.auto],
      [catalogKey('pg_constraint', 16420), catalogKey('pg_constraint', 16420), DEPTYPE.normal],
    ];
    const fill = linksFill(links.length);
    links.forEach(([from, to, type], i) => {
      fill.from[i] = from;
      fill.to[i] = to;
      fill.types[i] = type;
    });
    const pushedInto = new Map([a, b, fk].map((o) => [o, o.deps]));
    const out = resolveDependencies(ctx, [schema, a, b, fk], {
      from: fill.from,
      to: fill.to,
      types: fill.types,
      userRelations: new Set(),
    });
    expect(out.map((o) => [o.id, o.deps])).toEqual([
      ['schema:public', []],
      ['table:public.a', ['schema:public']],
      ['table:public.b', ['schema:public', 'table:public.a']],
      ['foreign-key:public.b_a_fk', ['table:public.b', 'table:public.a']],
    ]);
    // Each list is a new one made at its length, not the one the links were pushed into.
    for (const [o, pushed] of pushedInto) expect(o.deps).not.toBe(pushed);
  });
});

describe('resolveDependencies with many objects', () => {
  // Each catalog key and each id in a Map, and every list grown by push then copied, were the largest
  // things ordering allocated with 20,000 tables (docs/BENCHMARKS.md, "Session 14: backupmem").
  it('puts no key or id of every object in a Map, and pushes nothing into the lists it adds to', () => {
    const schema = object('schema', 'public', [catalogKey('pg_namespace', 2200)]);
    schema.id = 'schema:public';
    const tables = Array.from({ length: 200 }, (_, i) =>
      object('table', `t${i}`, [catalogKey('pg_class', 20000 + i)]),
    );
    const fill = linksFill(tables.length * 2);
    tables.forEach((_, i) => {
      fill.from[2 * i] = catalogKey('pg_class', 20000 + i);
      fill.to[2 * i] = catalogKey('pg_namespace', 2200);
      fill.types[2 * i] = DEPTYPE.normal;
      fill.from[2 * i + 1] = catalogKey('pg_class', 20000 + i);
      fill.to[2 * i + 1] = catalogKey('pg_class', 20000 + ((i + 1) % tables.length));
      fill.types[2 * i + 1] = DEPTYPE.normal;
    });
    // The readers' lists are read, not pushed into: frozen, a push throws.
    for (const o of [schema, ...tables]) Object.freeze(o.deps);
    const set = vi.spyOn(Map.prototype, 'set');
    let out: CatalogObject[];
    let sets: number;
    try {
      out = resolveDependencies(ctx, [schema, ...tables], {
        from: fill.from,
        to: fill.to,
        types: fill.types,
        userRelations: new Set(),
      });
    } finally {
      // (Counted first: restoring the spy clears its calls.)
      sets = set.mock.calls.length;
      set.mockRestore();
    }
    expect(out.find((o) => o.id === 'table:public.t5')?.deps).toEqual(['schema:public', 'table:public.t6']);
    expect(sets).toBeLessThan(tables.length);
  });
});

describe('exactDeps', () => {
  it('keeps first occurrences in order, without itself or removed ids, short lists and long', () => {
    const removed = new Set(['gone']);
    expect(exactDeps(['a', 'b', 'a', 'self', 'gone', 'c', 'b'], 'self', removed)).toEqual(['a', 'b', 'c']);
    const long = Array.from({ length: 40 }, (_, i) => `d${i % 20}`);
    expect(exactDeps([...long, 'self', 'gone'], 'self', removed)).toEqual(
      Array.from({ length: 20 }, (_, i) => `d${i}`),
    );
    const empty: string[] = [];
    expect(exactDeps(empty, 'self', removed)).toBe(empty);
    const clean = ['a', 'b'];
    const copy = exactDeps(clean, 'self', new Set());
    expect(copy).toEqual(clean);
    expect(copy).not.toBe(clean);
  });
});
