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
  // Work on positions, not ids: every step below is then an array access, and each
  // dependency is looked at a fixed number of times, so thousands of tables order in linear time.
  // Indexed loops: this runs once per backup, mostly before V8 optimises it, and unoptimised
  // for-of and entries() allocate an iterator result (and a pair) per element.
  const n = objects.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(objects[i]!.id, i);
  // Each object's dependents are a run of one typed array (counted, then placed), not a list per
  // object grown by push: with 20,000 tables that was 100,000 arrays with room for 17 each, the
  // largest thing ordering allocated, while the backup's heap is at its largest.
  let links = 0;
  for (let i = 0; i < n; i++) links += objects[i]!.deps.length;
  const linkFrom = new Int32Array(links);
  const linkTo = new Int32Array(links);
  const waiting = new Int32Array(n);
  /** Where each object's run of dependents starts in `dependents` (and ends: the next one's start). */
  const start = new Int32Array(n + 1);
  let found = 0;
  for (let i = 0; i < n; i++) {
    const deps = objects[i]!.deps;
    for (let j = 0; j < deps.length; j++) {
      const at = index.get(deps[j]!);
      if (at === undefined) continue;
      linkFrom[found] = i;
      linkTo[found] = at;
      found++;
      start[at + 1]!++;
      waiting[i]!++;
    }
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  // In dependency order within each run, as pushing them one by one gave.
  const dependents = new Int32Array(found);
  const placed = start.slice(0, n);
  for (let k = 0; k < found; k++) dependents[placed[linkTo[k]!]!++] = linkFrom[k]!;

  // Move pre-data objects that need post-data ones; their dependents follow.
  const moved: number[] = [];
  for (let i = 0; i < n; i++) if (objects[i]!.section === 'post-data') moved.push(i);
  while (moved.length) {
    const from = moved.pop()!;
    for (let k = start[from]!; k < start[from + 1]!; k++) {
      const i = dependents[k]!;
      const o = objects[i]!;
      if (o.section !== 'pre-data') continue;
      o.section = 'post-data';
      moved.push(i);
    }
  }

  const key = orderKeys(objects, index);
  const heap = new KeyHeap(key);
  for (let i = 0; i < objects.length; i++) if (waiting[i] === 0) heap.push(i);
  const ordered: T[] = [];
  const cycles: string[] = [];
  const done = new Uint8Array(objects.length);
  // For cycles: every object in rank order, and how far the released ones reach into it.
  let byRank: number[] | undefined;
  let nextStuck = 0;
  while (ordered.length < objects.length) {
    let next = heap.pop();
    if (next < 0) {
      // A cycle: release the first remaining object in rank order and carry on.
      byRank ??= objects.map((_, i) => i).sort((a, b) => key[a]! - key[b]!);
      while (done[byRank[nextStuck]!]) nextStuck++;
      next = byRank[nextStuck]!;
      cycles.push(objects[next]!.id);
    }
    if (done[next]) continue;
    done[next] = 1;
    ordered.push(objects[next]!);
    for (let k = start[next]!; k < start[next + 1]!; k++) {
      const dep = dependents[k]!;
      if (--waiting[dep]! === 0 && !done[dep]) heap.push(dep);
    }
  }
  return { ordered, cycles };
}

/**
 * Each object's place in the order ready objects are taken in (section, kind,
 * then id), as one number per object, all different: comparing two objects is
 * then comparing two numbers. The ids are put in order once, by the engine's
 * own sort of strings (the same order as `<`); comparing ids at every step of
 * the heap was most of ordering's time with thousands of tables.
 * `index` maps each id to its position (the last one when ids repeat).
 */
function orderKeys(objects: readonly PgObject[], index: ReadonlyMap<string, number>): Float64Array {
  const n = objects.length;
  const place = new Float64Array(n);
  if (index.size === n) {
    const ids = new Array<string>(n);
    for (let i = 0; i < n; i++) ids[i] = objects[i]!.id;
    ids.sort();
    for (let k = 0; k < n; k++) place[index.get(ids[k]!)!] = k;
  } else {
    // Repeated ids (not from the catalog readers): equal ids keep their positions' order.
    const byId = objects.map((_, i) => i);
    byId.sort((a, b) => {
      const x = objects[a]!.id;
      const y = objects[b]!.id;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    for (let k = 0; k < n; k++) place[byId[k]!] = k;
  }
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = objects[i]!;
    // Kind ranks have at most two decimals: ×100 makes whole numbers, so rank × n + place stays exact.
    const rank = SECTION_RANK[o.section] * 100_000 + Math.round(KIND_RANK[o.kind] * 100);
    key[i] = rank * n + place[i]!;
  }
  return key;
}

/** A binary heap of positions, smallest `key` first; `pop` gives -1 when empty. */
class KeyHeap {
  private items: Int32Array;
  private size = 0;
  constructor(private readonly key: Float64Array) {
    this.items = new Int32Array(Math.max(16, key.length));
  }

  push(item: number): void {
    if (this.size === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    const { items, key } = this;
    const k = key[item]!;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (key[p]! <= k) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): number {
    if (this.size === 0) return -1;
    const { items, key } = this;
    const top = items[0]!;
    const last = items[--this.size]!;
    const size = this.size;
    if (size) {
      const k = key[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const child = r < size && key[items[r]!]! < key[items[l]!]! ? r : l;
        if (key[items[child]!]! >= k) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
