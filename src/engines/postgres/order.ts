import { float64, int32, type ScratchArrays, uint8 } from './introspect/scratch-arrays.js';
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
  let links = 0;
  for (let i = 0; i < n; i++) links += objects[i]!.deps.length;
  const depStart = new Int32Array(n + 1);
  const depOn = new Int32Array(links);
  let found = 0;
  for (let i = 0; i < n; i++) {
    const deps = objects[i]!.deps;
    for (let j = 0; j < deps.length; j++) {
      const at = index.get(deps[j]!);
      if (at !== undefined) depOn[found++] = at;
    }
    depStart[i + 1] = found;
  }
  const sections = new Uint8Array(n);
  const kinds = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    sections[i] = SECTION_RANK[objects[i]!.section];
    kinds[i] = KIND_RANK[objects[i]!.kind];
  }
  const place = idPlaces(n, (i) => objects[i]!.id, index.size === n ? (id) => index.get(id)! : undefined);
  const { order, cycles } = orderPositions(depStart, depOn, sections, kinds, place);
  const ordered = new Array<T>(n);
  for (let k = 0; k < n; k++) {
    const o = objects[order[k]!]!;
    if (sections[order[k]!] !== SECTION_RANK[o.section]) o.section = 'post-data';
    ordered[k] = o;
  }
  const cycleIds = new Array<string>(cycles.length);
  for (let k = 0; k < cycles.length; k++) cycleIds[k] = objects[cycles[k]!]!.id;
  return { ordered, cycles: cycleIds };
}

/** A kind's place among the kinds, as {@link orderPositions} takes it. */
export function kindRank(kind: ObjectKind): number {
  return KIND_RANK[kind];
}

/** Section code as {@link orderPositions} takes and gives it: 0 pre-data, 1 post-data. */
export const SECTION_CODE = SECTION_RANK;

/**
 * {@link orderObjects} on positions alone: object `i` depends on the objects
 * `depOn[depStart[i]]`… `depOn[depStart[i + 1] - 1]`, in that order; its section code
 * (0 pre-data, 1 post-data: moved to 1 in place when it needs a post-data object),
 * its kind's rank ({@link kindRank}) and its id's place in id order (see {@link idPlaces}).
 * Returns the positions in restore order, and those released from a cycle. With `scratch`
 * its typed arrays, the order too, come from there (valid until it is released).
 */
export function orderPositions(
  depStart: Int32Array,
  depOn: Int32Array,
  sections: Uint8Array,
  kinds: Float64Array,
  place: Float64Array,
  scratch?: ScratchArrays,
): { order: Int32Array; cycles: number[] } {
  const n = sections.length;
  const found = depStart[n]!;
  // Each object's dependents are a run of one typed array (counted, then placed), not a list per
  // object grown by push: with 20,000 tables that was 100,000 arrays with room for 17 each, the
  // largest thing ordering allocated, while the backup's heap is at its largest.
  const waiting = int32(scratch, n);
  /** Where each object's run of dependents starts in `dependents` (and ends: the next one's start). */
  const start = int32(scratch, n + 1);
  for (let i = 0; i < n; i++) {
    for (let k = depStart[i]!; k < depStart[i + 1]!; k++) start[depOn[k]! + 1]!++;
    waiting[i] = depStart[i + 1]! - depStart[i]!;
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  // In dependency order within each run, as pushing them one by one gave.
  const dependents = int32(scratch, found);
  const placed = start.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let k = depStart[i]!; k < depStart[i + 1]!; k++) dependents[placed[depOn[k]!]!++] = i;
  }

  // Move pre-data objects that need post-data ones; their dependents follow.
  const moved: number[] = [];
  for (let i = 0; i < n; i++) if (sections[i] === SECTION_RANK['post-data']) moved.push(i);
  while (moved.length) {
    const from = moved.pop()!;
    for (let k = start[from]!; k < start[from + 1]!; k++) {
      const i = dependents[k]!;
      if (sections[i] !== SECTION_RANK['pre-data']) continue;
      sections[i] = SECTION_RANK['post-data'];
      moved.push(i);
    }
  }

  const key = float64(scratch, n);
  for (let i = 0; i < n; i++) {
    // Kind ranks have at most two decimals: ×100 makes whole numbers, so rank × n + place stays exact.
    const rank = sections[i]! * 100_000 + Math.round(kinds[i]! * 100);
    key[i] = rank * n + place[i]!;
  }
  const heap = new KeyHeap(key);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) heap.push(i);
  const order = int32(scratch, n);
  let count = 0;
  const cycles: number[] = [];
  const done = uint8(scratch, n);
  // For cycles: every object in rank order, and how far the released ones reach into it.
  let byRank: number[] | undefined;
  let nextStuck = 0;
  while (count < n) {
    let next = heap.pop();
    if (next < 0) {
      // A cycle: release the first remaining object in rank order and carry on.
      byRank ??= Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a]! - key[b]!);
      while (done[byRank[nextStuck]!]) nextStuck++;
      next = byRank[nextStuck]!;
      cycles.push(next);
    }
    if (done[next]) continue;
    done[next] = 1;
    order[count++] = next;
    for (let k = start[next]!; k < start[next + 1]!; k++) {
      const dep = dependents[k]!;
      if (--waiting[dep]! === 0 && !done[dep]) heap.push(dep);
    }
  }
  return { order, cycles };
}

/**
 * Each object's place in id order, as one number per object, all different: the order ready
 * objects are taken in is then section, kind and this. The ids are put in order once, by the
 * engine's own sort of strings (the same order as `<`); comparing ids at every step of the heap
 * was most of ordering's time with thousands of tables. `positionOf` finds an id's position when
 * no two objects have the same id; without it, equal ids keep their positions' order.
 */
export function idPlaces(
  n: number,
  idOf: (i: number) => string,
  positionOf: ((id: string) => number) | undefined,
  scratch?: ScratchArrays,
): Float64Array {
  const place = float64(scratch, n);
  if (positionOf) {
    const ids = new Array<string>(n);
    for (let i = 0; i < n; i++) ids[i] = idOf(i);
    ids.sort();
    for (let k = 0; k < n; k++) place[positionOf(ids[k]!)] = k;
  } else {
    const byId = Array.from({ length: n }, (_, i) => i);
    byId.sort((a, b) => {
      const x = idOf(a);
      const y = idOf(b);
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    for (let k = 0; k < n; k++) place[byId[k]!] = k;
  }
  return place;
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
