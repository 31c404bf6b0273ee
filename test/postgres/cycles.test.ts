// Cycle breaking on hand-made dependency graphs (the catalog side is covered by the parity themes).
import { describe, expect, it } from 'vitest';
import type { CatalogObject } from '../../src/engines/postgres/introspect/context.js';
import { breakCycles, stronglyConnected } from '../../src/engines/postgres/introspect/cycles.js';
import { orderObjects } from '../../src/engines/postgres/order.js';

const object = (id: string, deps: string[], extra: Partial<CatalogObject> = {}): CatalogObject => ({
  id,
  kind: 'function',
  section: 'pre-data',
  schema: 's',
  name: id,
  sql: [`create ${id}`],
  deps,
  keys: [],
  ...extra,
});

describe('dependency cycle breaking', () => {
  it('finds strongly connected components', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
    ]);
    expect(stronglyConnected(graph).map((c) => c.sort())).toEqual([['d'], ['a', 'b', 'c']]);
  });

  it('splits out only the part that closes a cycle and merges the others back', () => {
    const cyclic = object('check:t.c1', ['table:t', 'function:f'], {
      kind: 'constraint',
      section: 'post-data',
    });
    const plain = object('check:t.c2', ['table:t', 'function:g'], {
      kind: 'constraint',
      section: 'post-data',
    });
    const table = object('table:t', [], {
      kind: 'table',
      detachable: {
        parts: [cyclic, plain],
        sqlWithout: (ids) => [`create t without ${[...ids].join(',')}`],
      },
    });
    const f = object('function:f', ['table:t']);
    const g = object('function:g', []);
    const other = object('view:v', ['check:t.c2'], { kind: 'view' });
    const partOf = new Map([
      [cyclic.id, table.id],
      [plain.id, table.id],
    ]);
    const out = breakCycles([table, cyclic, plain, f, g, other], partOf);
    expect(out.map((o) => o.id).sort()).toEqual([
      'check:t.c1',
      'function:f',
      'function:g',
      'table:t',
      'view:v',
    ]);
    expect(table.sql).toEqual(['create t without check:t.c1']);
    expect(table.deps).toEqual(['function:g']);
    expect(other.deps).toEqual(['table:t']);
    const { ordered, cycles } = orderObjects(out);
    expect(cycles).toEqual([]);
    const at = (id: string) => ordered.findIndex((o) => o.id === id);
    expect(at('table:t')).toBeLessThan(at('function:f'));
    expect(at('function:f')).toBeLessThan(at('check:t.c1'));
  });

  it('points the objects a shelled object needs, and that need it back, at the shell, adding it when lazy', () => {
    const shell = object('view-shell:v', [], { kind: 'view' });
    const view = object('view:v', ['function:f', 'table:t'], {
      kind: 'view',
      shell: { id: shell.id, object: shell, sqlOverShell: ['replace v'], dropOverShell: 'placeholder v' },
    });
    const f = object('function:f', ['view:v']);
    const t = object('table:t', [], { kind: 'table' });
    const unrelated = object('view:w', ['view:v'], { kind: 'view' });
    const out = breakCycles([view, f, t, unrelated], new Map());
    expect(f.deps).toEqual(['view-shell:v']);
    expect(unrelated.deps).toEqual(['view:v']);
    expect(view.sql).toEqual(['replace v']);
    expect(view.drop).toBe('placeholder v');
    expect(orderObjects(out).cycles).toEqual([]);
  });

  it('adds no lazy shell when there is no cycle', () => {
    const shell = object('view-shell:v', [], { kind: 'view' });
    const view = object('view:v', ['function:f'], { kind: 'view', shell: { id: shell.id, object: shell } });
    const f = object('function:f', []);
    expect(breakCycles([view, f], new Map()).map((o) => o.id)).toEqual(['view:v', 'function:f']);
    expect(view.sql).toEqual(['create view:v']);
  });

  it('leaves a cycle nothing can split to the ordering, which reports it', () => {
    const a = object('function:a', ['function:b']);
    const b = object('function:b', ['function:a']);
    const out = breakCycles([a, b], new Map());
    expect(orderObjects(out).cycles.length).toBeGreaterThan(0);
  });
});
