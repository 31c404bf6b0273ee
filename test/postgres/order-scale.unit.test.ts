// Dependency ordering stays linear in the number of objects (issue 14: thousands of tables).
// No timings: every object counts how often its id and dependency list are read, and the
// tests bound those reads by a small multiple of the object count. The earlier code read
// them once per object per fixpoint pass or per cycle, which grows with the square.
import { describe, expect, it } from 'vitest';
import type { CatalogObject } from '../../src/engines/postgres/introspect/context.js';
import { breakCycles } from '../../src/engines/postgres/introspect/cycles.js';
import type { ObjectKind, Section } from '../../src/engines/postgres/model.js';
import { orderObjects } from '../../src/engines/postgres/order.js';

const reads = { count: 0 };

/** A catalog object whose id and deps count their reads in `reads`. */
function counted(id: string, deps: string[], kind: ObjectKind, section: Section = 'pre-data'): CatalogObject {
  let ownDeps = deps;
  const o = {
    kind,
    section,
    schema: 's',
    name: id,
    sql: [`create ${id}`],
    keys: [],
  } as unknown as CatalogObject;
  Object.defineProperty(o, 'id', {
    enumerable: true,
    get: () => {
      reads.count++;
      return id;
    },
  });
  Object.defineProperty(o, 'deps', {
    enumerable: true,
    get: () => {
      reads.count++;
      return ownDeps;
    },
    set: (value: string[]) => {
      ownDeps = value;
    },
  });
  return o;
}

describe('dependency ordering at scale', () => {
  it('moves a long chain of views after the key one of them needs, reading each object a bounded number of times', () => {
    const n = 3000;
    const key = counted('constraint:t.pk', [], 'constraint', 'post-data');
    // Listed last first: a pass-by-pass fixpoint would move one view per pass.
    const views = Array.from({ length: n }, (_, i) =>
      counted(
        `view:v${String(i).padStart(5, '0')}`,
        [i === 0 ? key.id : `view:v${String(i - 1).padStart(5, '0')}`],
        'view',
      ),
    ).reverse();
    reads.count = 0;
    const { ordered, cycles } = orderObjects([...views, key]);
    expect(reads.count).toBeLessThan(40 * n);
    expect(cycles).toEqual([]);
    expect(views.every((v) => v.section === 'post-data')).toBe(true);
    const ids = ordered.map((o) => o.id);
    expect(ids[0]).toBe('constraint:t.pk');
    expect(ids.slice(1)).toEqual(views.map((v) => v.id).reverse());
  });

  it('releases thousands of unbreakable cycles in rank order without sorting everything for each', () => {
    const pairs = 2000;
    const objects = Array.from({ length: pairs }, (_, i) => [
      counted(`function:a${i}`, [`function:b${i}`], 'function'),
      counted(`function:b${i}`, [`function:a${i}`], 'function'),
    ]).flat();
    reads.count = 0;
    const { ordered, cycles } = orderObjects(objects);
    expect(reads.count).toBeLessThan(60 * objects.length);
    expect(ordered).toHaveLength(objects.length);
    // Each pair is released once, through its first member in name order; the other follows at once.
    expect(cycles).toHaveLength(pairs);
    expect(new Set(ordered.map((o) => o.id)).size).toBe(objects.length);
    expect(ordered.slice(0, 2).map((o) => o.id)).toEqual(['function:a0', 'function:b0']);
  });

  it('splits the check out of thousands of table ↔ function cycles, visiting only each cycle’s own objects', () => {
    const n = 2000;
    const objects: CatalogObject[] = [];
    const partOf = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const check = counted(`check:t${i}.c`, [`table:t${i}`, `function:f${i}`], 'constraint', 'post-data');
      const table = counted(`table:t${i}`, [], 'table');
      table.detachable = {
        parts: [check],
        sqlWithout: (ids) => [`create t${i} without ${[...ids].join(',')}`],
      };
      const f = counted(`function:f${i}`, [`table:t${i}`], 'function');
      objects.push(table, check, f);
      partOf.set(check.id, table.id);
    }
    reads.count = 0;
    const out = breakCycles(objects, partOf);
    expect(reads.count).toBeLessThan(200 * objects.length);
    expect(out).toHaveLength(3 * n);
    const { ordered, cycles } = orderObjects(out);
    expect(cycles).toEqual([]);
    const at = new Map(ordered.map((o, i) => [o.id, i]));
    for (const i of [0, n - 1]) {
      expect(at.get(`table:t${i}`)!).toBeLessThan(at.get(`function:f${i}`)!);
      expect(at.get(`function:f${i}`)!).toBeLessThan(at.get(`check:t${i}.c`)!);
    }
  });

  it('orders thousands of objects ready at once by name, reading each id a fixed number of times', () => {
    const n = 3000;
    const schema = counted('schema:s', [], 'schema');
    // Listed in reverse name order, all ready once the schema is: the heap holds thousands at once.
    const tables = Array.from({ length: n }, (_, i) =>
      counted(`table:s.t${String(n - i).padStart(5, '0')}`, ['schema:s'], 'table'),
    );
    const keys = Array.from({ length: n }, (_, i) =>
      counted(
        `constraint:s.t${String(i).padStart(5, '0')}.pk`,
        [`table:s.t${String(i).padStart(5, '0')}`],
        'constraint',
        'post-data',
      ),
    );
    reads.count = 0;
    const { ordered, cycles } = orderObjects([...keys, ...tables, schema]);
    // A few reads per object (its id and dependencies, each read twice or so). Comparing ids at
    // each heap step read them ~2·log2(n) times each (over 40 reads per object here).
    expect(reads.count).toBeLessThanOrEqual(6 * (2 * n + 1));
    expect(cycles).toEqual([]);
    const ids = ordered.map((o) => o.id);
    expect(ids[0]).toBe('schema:s');
    expect(ids.slice(1, n + 1)).toEqual(tables.map((t) => t.id).sort());
    expect(ids.slice(n + 1)).toEqual(keys.map((k) => k.id).sort());
  });

  it('does not look for cycles to break when no object can be split', () => {
    const n = 3000;
    const objects = Array.from({ length: n }, (_, i) => [
      counted(`table:t${i}`, [], 'table'),
      counted(`index:t${i}.i`, [`table:t${i}`], 'index', 'post-data'),
      counted(`foreign-key:t${i}.fk`, [`table:t${i}`, `table:t${(i + 1) % n}`], 'foreign-key', 'post-data'),
    ]).flat();
    reads.count = 0;
    const out = breakCycles(objects, new Map());
    // Each object's id and dependencies read once to tidy them; a search for cycles read them again.
    expect(reads.count).toBeLessThanOrEqual(2 * objects.length);
    expect(out).toEqual(objects);
  });
});
