import { idPlaces, kindRank, orderPositions, SECTION_CODE } from '../order.js';
import type { CatalogObject } from './context.js';
import { claimInternalRows, DEPTYPE, type DependLinks } from './depend.js';
import { KeyOwners } from './key-owners.js';
import type { PackedCatalog } from './packed-catalog.js';
import { PackedObject } from './packed-object.js';
import { ScratchArrays } from './scratch-arrays.js';

/** What {@link resolveAndOrder} gives: the objects kept, and the same in restore order. */
export interface ResolvedCatalog {
  kept: CatalogObject[];
  ordered: CatalogObject[];
}

/**
 * resolveDependencies, breakCycles and orderObjects on positions and names (id-names.ts) alone,
 * for a catalog packed as it was read (packed-catalog.ts): no id or deps list is made as a
 * string or a list per object, and each object's resolved deps go to its catalog as names,
 * written as text only in the footer. With 20,000 tables those three steps allocated ~26 MB
 * of lists, maps and strings on top of the model, the backup's peak.
 *
 * This is the path of every catalog without the rarer cases: an object left out (it depends
 * on a relation not in the backup), a partition's attach step, a materialized view's refresh,
 * a dependency cycle (a part or shell would have to be split out). For those it gives
 * `undefined` having changed nothing, and the caller resolves the objects as objects
 * (depend.ts, cycles.ts, order.ts): the same result, in the same order.
 */
export function resolveAndOrder(
  catalog: PackedCatalog,
  readObjects: readonly CatalogObject[],
  depend: DependLinks,
): ResolvedCatalog | undefined {
  // The objects with their detachable parts after each, as resolveDependencies lists them.
  const objects: CatalogObject[] = [];
  const partOwner: number[] = [];
  let hasShells = false;
  for (let i = 0; i < readObjects.length; i++) {
    const obj = readObjects[i]!;
    if (obj.kind === 'attach' || obj.kind === 'refresh') return undefined;
    if (obj.shell) hasShells = true;
    const owner = objects.length;
    objects.push(obj);
    partOwner.push(-1);
    const parts = obj.detachable?.parts;
    for (let j = 0; parts && j < parts.length; j++) {
      if (parts[j]!.kind === 'attach' || parts[j]!.kind === 'refresh') return undefined;
      objects.push(parts[j]!);
      partOwner.push(owner);
    }
  }
  // Every typed array below is garbage once this returns (catalog.resolve copies the deps): those
  // used only until each object's deps are made come from `early`, given back then, the rest from
  // `scratch`, given back at the end (see scratch-arrays.ts for why).
  const early = new ScratchArrays();
  const scratch = new ScratchArrays();
  try {
    return resolveWith(catalog, objects, partOwner, hasShells, depend, early, scratch);
  } finally {
    early.release();
    scratch.release();
  }
}

/** resolveAndOrder once the objects are listed with their parts, typed arrays taken from `early` and `scratch`. */
function resolveWith(
  catalog: PackedCatalog,
  objects: readonly CatalogObject[],
  partOwner: readonly number[],
  hasShells: boolean,
  depend: DependLinks,
  early: ScratchArrays,
  scratch: ScratchArrays,
): ResolvedCatalog | undefined {
  const { names } = catalog;
  const n = objects.length;
  // Each object's number in the catalog (-1: a plain object); its id and own deps as names; its keys as runs.
  const bOf = early.int32(n);
  for (let i = 0; i < n; i++) {
    const o = objects[i];
    bOf[i] = o instanceof PackedObject ? o.b : -1;
  }
  const { ownDeps, keys: keyRuns, references } = catalog;
  const idName = scratch.int32(n);
  const ownStart = early.int32(n + 1);
  const keyStart = early.int32(n + 1);
  for (let i = 0; i < n; i++) {
    const b = bOf[i]!;
    if (b >= 0) {
      idName[i] = catalog.idName(b);
      ownStart[i + 1] = ownStart[i]! + ownDeps.to(b) - ownDeps.from(b);
      keyStart[i + 1] = keyStart[i]! + keyRuns.to(b) - keyRuns.from(b);
    } else {
      idName[i] = names.intern(objects[i]!.id);
      ownStart[i + 1] = ownStart[i]! + objects[i]!.deps.length;
      keyStart[i + 1] = keyStart[i]! + objects[i]!.keys.length;
    }
  }
  const own = early.int32(ownStart[n]!);
  const keys = early.float64(keyStart[n]!);
  const referenced: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = bOf[i]!;
    if (b >= 0) {
      for (let k = ownDeps.from(b), at = ownStart[i]!; k < ownDeps.to(b); k++) own[at++] = ownDeps.at(k);
      for (let k = keyRuns.from(b), at = keyStart[i]!; k < keyRuns.to(b); k++) keys[at++] = keyRuns.at(k);
      for (let k = references.from(b); k < references.to(b); k++) referenced.push(references.at(k));
    } else {
      const o = objects[i]!;
      for (let j = 0; j < o.deps.length; j++) own[ownStart[i]! + j] = names.intern(o.deps[j]!);
      keys.set(o.keys, keyStart[i]!);
      for (const ref of o.references ?? []) referenced.push(names.intern(`table:${ref.schema}.${ref.name}`));
    }
  }
  // Name → the (last) object with that id, or -1: every name a dep or reference gave is below `names.count`.
  const positionOf = scratch.int32(names.count).fill(-1);
  for (let i = 0; i < n; i++) positionOf[idName[i]!] = i;
  // A foreign key to a table not in the backup is left out with its dependents: not this path.
  // (The name is `table:…`: an object with that id is a table.)
  for (let k = 0; k < referenced.length; k++) if (positionOf[referenced[k]!]! < 0) return undefined;

  // pg_depend's links to edges, as resolveDependencies makes them.
  const owner = new KeyOwners(keys, keyStart, early);
  const { from: linkFrom, to: linkTo, types, userRelations } = depend;
  claimInternalRows(owner, depend);
  const edgeFrom = early.int32(types.length);
  const edgeTo = early.int32(types.length);
  let edges = 0;
  const added = early.int32(n);
  const lastAdded = early.int32(n).fill(-1);
  for (let i = 0; i < types.length; i++) {
    const type = types[i];
    if (type === DEPTYPE.extension) continue;
    const f = owner.get(linkFrom[i]!);
    if (f < 0) continue;
    const t = owner.get(linkTo[i]!);
    if (t >= 0) {
      if (t === f) continue;
      // (A default or foreign key names its table once per column: rows next to each other.)
      const last =
        lastAdded[f]! >= 0
          ? idName[lastAdded[f]!]
          : ownStart[f + 1]! > ownStart[f]!
            ? own[ownStart[f + 1]! - 1]
            : -1;
      if (last === idName[t]) continue;
      edgeFrom[edges] = f;
      edgeTo[edges] = t;
      edges++;
      added[f]!++;
      lastAdded[f] = t;
    } else if (type === DEPTYPE.normal && userRelations.has(linkTo[i]!)) {
      // Depends on a relation not in the backup: left out, with its dependents.
      return undefined;
    }
  }
  // Each object's deps: its own names, then the added objects' in the order of pg_depend's keys; without
  // repeats or itself (exactDeps).
  const addedStart = early.int32(n + 1);
  for (let i = 0; i < n; i++) addedStart[i + 1] = addedStart[i]! + added[i]!;
  const addedNames = early.int32(edges);
  const placed = early.int32(n);
  placed.set(addedStart.subarray(0, n));
  for (let k = 0; k < edges; k++) addedNames[placed[edgeFrom[k]!]!++] = idName[edgeTo[k]!]!;

  // Parts merge into their owners unless a cycle needs them split (breakCycles): every dep on a
  // part becomes one on its owner, and the owner takes the part's deps after its own.
  const hasParts = partOwner.some((o) => o >= 0);
  const nodeName = (name: number): number => {
    const at = name < positionOf.length ? positionOf[name]! : -1;
    return at >= 0 && partOwner[at]! >= 0 ? idName[partOwner[at]!]! : name;
  };
  const partsOf = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (partOwner[i]! < 0) continue;
    const list = partsOf.get(partOwner[i]!);
    if (list) list.push(i);
    else partsOf.set(partOwner[i]!, [i]);
  }
  const depStart = scratch.int32(n + 1);
  const depNames = scratch.int32(own.length + edges);
  let depCount = 0;
  /** The names of a long list so far (a short one is searched). */
  const seen = new Set<number>();
  const addRun = (i: number, self: number) => {
    for (let k = ownStart[i]!; k < ownStart[i + 1]!; k++) addName(own[k]!, self);
    for (let k = addedStart[i]!; k < addedStart[i + 1]!; k++) addName(addedNames[k]!, self);
  };
  let runStart = 0;
  const addName = (raw: number, self: number) => {
    const name = hasParts ? nodeName(raw) : raw;
    if (name === self) return;
    const length = depCount - runStart;
    if (length < LONG_LIST) {
      for (let k = runStart; k < depCount; k++) if (depNames[k] === name) return;
    } else {
      if (seen.size === 0) for (let k = runStart; k < depCount; k++) seen.add(depNames[k]!);
      if (seen.has(name)) return;
      seen.add(name);
    }
    depNames[depCount++] = name;
  };
  for (let i = 0; i < n; i++) {
    if (seen.size) seen.clear();
    runStart = depCount;
    if (partOwner[i]! < 0) {
      const self = idName[i]!;
      // A part's own deps first take out its owner's id as exactDeps did (self), then merge under the owner.
      addRun(i, self);
      for (const part of partsOf.get(i) ?? []) addPartRun(part, self);
    }
    depStart[i + 1] = depCount;
  }
  function addPartRun(part: number, self: number): void {
    // exactDeps made the part's list without repeats or its own id, before it merged.
    const partSeen = new Set<number>();
    const partSelf = idName[part]!;
    const take = (raw: number) => {
      if (raw === partSelf || partSeen.has(raw)) return;
      partSeen.add(raw);
      addName(raw, self);
    };
    for (let k = ownStart[part]!; k < ownStart[part + 1]!; k++) take(own[k]!);
    for (let k = addedStart[part]!; k < addedStart[part + 1]!; k++) take(addedNames[k]!);
  }

  early.release();

  // The objects kept (parts merged), their deps as positions among them, in order.
  const keptIndex = scratch.int32(n).fill(-1);
  const kept: CatalogObject[] = [];
  for (let i = 0; i < n; i++) {
    if (partOwner[i]! >= 0) continue;
    keptIndex[i] = kept.length;
    kept.push(objects[i]!);
  }
  const m = kept.length;
  const keptStart = scratch.int32(m + 1);
  const keptOn = scratch.int32(depCount);
  let found = 0;
  for (let i = 0, k = 0; i < n; i++) {
    if (keptIndex[i]! < 0) continue;
    for (let j = depStart[i]!; j < depStart[i + 1]!; j++) {
      const name = depNames[j]!;
      const at = name < positionOf.length ? positionOf[name]! : -1;
      if (at >= 0 && keptIndex[at]! >= 0) keptOn[found++] = keptIndex[at]!;
    }
    keptStart[++k] = found;
  }
  // With parts or shells a cycle would be broken by splitting one out: not this path.
  if ((hasParts || hasShells) && !acyclic(keptStart, keptOn)) return undefined;

  const sections = scratch.uint8(m);
  const kinds = scratch.float64(m);
  for (let i = 0; i < m; i++) {
    sections[i] = SECTION_CODE[kept[i]!.section];
    kinds[i] = kindRank(kept[i]!.kind);
  }
  const keptNames = scratch.int32(m);
  for (let i = 0, k = 0; i < n; i++) if (keptIndex[i]! >= 0) keptNames[k++] = idName[i]!;
  // Ids repeat when two kept objects have the same: then names repeat too.
  let distinct = true;
  const lastOf = scratch.int32(names.count).fill(-1);
  for (let i = 0; i < m && distinct; i++) {
    if (lastOf[keptNames[i]!]! >= 0) distinct = false;
    lastOf[keptNames[i]!] = i;
  }
  const place = idPlaces(
    m,
    (i) => names.text(keptNames[i]!),
    distinct ? (id) => lastOf[names.lookup(id)]! : undefined,
    scratch,
  );
  const { order, cycles } = orderPositions(keptStart, keptOn, sections, kinds, place, scratch);
  if (cycles.length) return undefined;

  // Written back: sections moved, deps resolved (packed objects' as names in their catalog).
  const resolvedOf = scratch.int32(catalog.count).fill(-1);
  for (let i = 0; i < n; i++) {
    if (keptIndex[i]! < 0) continue;
    const k = keptIndex[i]!;
    const o = kept[k]!;
    if (sections[k] === SECTION_CODE['post-data'] && o.section !== 'post-data') o.section = 'post-data';
    if (o instanceof PackedObject) resolvedOf[o.b] = i;
    else {
      const list = new Array<string>(depStart[i + 1]! - depStart[i]!);
      for (let j = depStart[i]!; j < depStart[i + 1]!; j++) list[j - depStart[i]!] = names.text(depNames[j]!);
      o.deps = list;
    }
  }
  catalog.resolve((packedB, push) => {
    const i = resolvedOf[packedB]!;
    if (i < 0) return;
    for (let j = depStart[i]!; j < depStart[i + 1]!; j++) push(depNames[j]!);
  }, depCount);
  const ordered = new Array<CatalogObject>(m);
  for (let k = 0; k < m; k++) ordered[k] = kept[order[k]!]!;
  return { kept, ordered };
}

/** Deps of an object from which repeats are looked up in a set, not searched for. */
const LONG_LIST = 16;

/** Whether no path of `on` leads from a position back to itself (Kahn's algorithm). */
function acyclic(start: Int32Array, on: Int32Array): boolean {
  const n = start.length - 1;
  const waiting = new Int32Array(n);
  for (let k = 0; k < start[n]!; k++) waiting[on[k]!]!++;
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  let done = 0;
  while (ready.length) {
    const i = ready.pop()!;
    done++;
    for (let k = start[i]!; k < start[i + 1]!; k++) if (--waiting[on[k]!]! === 0) ready.push(on[k]!);
  }
  return done === n;
}
