import type { ObjectKind, PgObject, Section } from './model.js';

/**
 * Orders objects so every object comes after what it depends on: a
 * topological sort over `deps`, choosing among ready objects by section, then
 * kind (the order pg_dump uses: schemas, extensions, types, functions,
 * sequences, tables, views, ...; then keys before indexes before foreign
 * keys), then name, so the same database always gives the same order.
 *
 * A pre-data object that depends on a post-data one (a view that relies on a
 * primary key through GROUP BY) moves to post-data, with its dependents.
 */

const KIND_RANK: Record<ObjectKind, number> = {
  schema: 1,
  extension: 2,
  'access-method': 2.5,
  collation: 3,
  type: 4,
  domain: 5,
  function: 6,
  language: 6.5,
  aggregate: 7,
  'shell-type': 3.5,
  operator: 7.1,
  'operator-family': 7.2,
  'operator-class': 7.3,
  cast: 7.4,
  transform: 7.5,
  conversion: 7.6,
  'text-search-parser': 7.7,
  'text-search-template': 7.75,
  'text-search-dictionary': 7.8,
  'text-search-configuration': 7.85,
  sequence: 8,
  table: 9,
  'sequence-owner': 10,
  default: 11,
  view: 12,
  'materialized-view': 13,
  constraint: 20,
  index: 21,
  attach: 22,
  'foreign-key': 23,
  trigger: 24,
  rule: 25,
  policy: 26,
  'row-security': 27,
  statistics: 28,
  refresh: 30,
  'system-acl': 36,
  'foreign-data-wrapper': 14,
  'foreign-server': 15,
  'user-mapping': 16,
  'foreign-table': 17,
  publication: 31,
  'publication-table': 32,
  subscription: 33,
  'default-privileges': 34,
  'event-trigger': 35,
};

const SECTION_RANK: Record<Section, number> = { 'pre-data': 0, 'post-data': 1 };

export interface OrderResult<T extends PgObject> {
  ordered: T[];
  /** Objects caught in a dependency cycle, emitted in kind order; restore may fail on them. */
  cycles: string[];
}

export function orderObjects<T extends PgObject>(objects: T[]): OrderResult<T> {
  const byId = new Map(objects.map((o) => [o.id, o]));

  // Move pre-data objects that need post-data ones (to a fixpoint: dependents follow).
  for (let changed = true; changed; ) {
    changed = false;
    for (const o of objects) {
      if (o.section === 'pre-data' && o.deps.some((d) => byId.get(d)?.section === 'post-data')) {
        o.section = 'post-data';
        changed = true;
      }
    }
  }

  const rank = (o: T) => [SECTION_RANK[o.section], KIND_RANK[o.kind]] as const;
  const before = (a: T, b: T): boolean => {
    const [sa, ka] = rank(a);
    const [sb, kb] = rank(b);
    if (sa !== sb) return sa < sb;
    if (ka !== kb) return ka < kb;
    return a.id < b.id;
  };

  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const o of objects) {
    const deps = o.deps.filter((d) => byId.has(d));
    waiting.set(o.id, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(o.id);
      else dependents.set(d, [o.id]);
    }
  }

  const heap = new MinHeap<T>(before);
  for (const o of objects) if (waiting.get(o.id) === 0) heap.push(o);
  const ordered: T[] = [];
  const cycles: string[] = [];
  const done = new Set<string>();
  while (ordered.length < objects.length) {
    let next = heap.pop();
    if (!next) {
      // A cycle: release the first remaining object in rank order and carry on.
      const stuck = objects.filter((o) => !done.has(o.id)).sort((a, b) => (before(a, b) ? -1 : 1));
      next = stuck[0] as T;
      cycles.push(next.id);
    }
    if (done.has(next.id)) continue;
    done.add(next.id);
    ordered.push(next);
    for (const dep of dependents.get(next.id) ?? []) {
      const left = (waiting.get(dep) ?? 0) - 1;
      waiting.set(dep, left);
      if (left === 0 && !done.has(dep)) heap.push(byId.get(dep) as T);
    }
  }
  return { ordered, cycles };
}

/** A binary heap ordered by `before`. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l] as T, items[best] as T)) best = l;
        if (r < items.length && this.before(items[r] as T, items[best] as T)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best] as T, items[i] as T];
        i = best;
      }
    }
    return top;
  }
}
