import { type CatalogObject, distinctDeps } from './context.js';

/**
 * Breaks dependency cycles between catalog objects the way pg_dump does, by
 * splitting an object in the cycle:
 *
 * - an object with a shell (a base type, a view) lets the objects it needs
 *   that need it back (its I/O functions, a function over the view's row type
 *   that the view calls) wait for the shell instead of the full object;
 * - a detachable part (a table's CHECK constraint calling a function that takes
 *   the table's row type, a domain's constraint calling a function over the
 *   domain) that needs something in the cycle becomes an object of its own,
 *   created after that something.
 *
 * `objects` holds every detachable part as an object of its own, `partOf`
 * maps each to its owner. Parts that need not be split are merged back into
 * their owner (their dependencies and the dependencies on them go to the
 * owner). Cycles none of this can break are left for the ordering to report.
 */
export function breakCycles(objects: CatalogObject[], partOf: ReadonlyMap<string, string>): CatalogObject[] {
  // Nothing to split (no part, no shell, as in most schemas of tables): no cycle can be broken, and
  // looking for one was most of this function's time with thousands of tables. The ordering reports any.
  let splittable = partOf.size > 0;
  for (let i = 0; i < objects.length && !splittable; i++) if (objects[i]!.shell) splittable = true;
  if (!splittable) {
    const out = new Array<CatalogObject>(objects.length);
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i]!;
      o.deps = distinctDeps(o.deps, o.id);
      out[i] = o;
    }
    return out;
  }
  const byId = new Map<string, CatalogObject>();
  for (let i = 0; i < objects.length; i++) byId.set(objects[i]!.id, objects[i]!);
  const attached = new Map(partOf);
  const node = (id: string) => attached.get(id) ?? id;

  // Most schemas have no cycle at all: one pass over positions says so, without the graph of sets below.
  for (let acyclicNow = acyclicObjects(objects, attached); !acyclicNow; acyclicNow = false) {
    const graph = new Map<string, Set<string>>();
    for (const o of objects) {
      const from = node(o.id);
      const edges = graph.get(from) ?? new Set<string>();
      graph.set(from, edges);
      for (const d of o.deps) if (byId.has(d) && node(d) !== from) edges.add(node(d));
    }
    // Most schemas have no cycle at all: a topological pass says so for a fraction of finding components.
    const cycles = acyclic(graph) ? [] : stronglyConnected(graph).filter((c) => c.length > 1);
    // Each cycle looks only at its own members and parts: a schema with thousands of small cycles stays linear.
    // (In the order of `objects` and of the parts, as when every cycle went through all of them.)
    const members = new Map<string, CatalogObject[]>();
    const partsOf = new Map<string, string[]>();
    const position = new Map<unknown, number>();
    if (cycles.length) {
      for (const [i, o] of objects.entries()) position.set(o, i);
      for (const [i, part] of [...attached.keys()].entries()) position.set(part, i);
      for (const o of objects) {
        const list = members.get(node(o.id));
        if (list) list.push(o);
        else members.set(node(o.id), [o]);
      }
      for (const [part, owner] of attached) {
        const list = partsOf.get(owner);
        if (list) list.push(part);
        else partsOf.set(owner, [part]);
      }
    }
    let changed = false;
    for (const cycle of cycles) {
      const inCycle = new Set(cycle);
      const inOrder = <T>(list: T[]) => list.sort((a, b) => position.get(a)! - position.get(b)!);
      for (const o of inOrder(cycle.flatMap((id) => members.get(id) ?? []))) {
        o.deps = o.deps.map((d) => {
          const target = byId.get(d);
          const shell = target?.shell;
          if (!target || !shell || target === o || !inCycle.has(d)) return d;
          if (!target.deps.some((x) => node(x) === node(o.id))) return d;
          if (shell.object && !byId.has(shell.id)) {
            objects.push(shell.object);
            byId.set(shell.id, shell.object);
            target.deps.push(shell.id);
            if (shell.sqlOverShell) target.sql = shell.sqlOverShell;
            if (shell.dropOverShell) target.drop = shell.dropOverShell;
          }
          changed = true;
          return shell.id;
        });
      }
      for (const part of inOrder(cycle.flatMap((id) => partsOf.get(id) ?? []))) {
        const owner = attached.get(part);
        if (owner === undefined) continue;
        const needs = byId.get(part)?.deps ?? [];
        if (needs.some((d) => node(d) !== owner && inCycle.has(node(d)))) {
          attached.delete(part);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }

  const detached = new Map<string, Set<string>>();
  for (const [part, owner] of partOf) {
    if (attached.has(part)) continue;
    const set = detached.get(owner) ?? new Set<string>();
    set.add(part);
    detached.set(owner, set);
  }
  for (const [part, owner] of attached) {
    byId.get(owner)?.deps.push(...(byId.get(part)?.deps ?? []));
  }
  const out: CatalogObject[] = [];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    if (attached.has(o.id)) continue;
    // With no part attached, `node` changes nothing: the list is kept as is when it has no repeats.
    o.deps = distinctDeps(attached.size ? o.deps.map(node) : o.deps, o.id);
    const split = detached.get(o.id);
    if (split && o.detachable) o.sql = o.detachable.sqlWithout(split);
    out.push(o);
  }
  return out;
}

/**
 * Whether the objects' dependencies, with each part standing for its owner
 * (`attached`: part → owner), close no cycle: Kahn's algorithm on positions,
 * as {@link acyclic} does for the graph breakCycles builds, without building it.
 */
function acyclicObjects(objects: readonly CatalogObject[], attached: ReadonlyMap<string, string>): boolean {
  // Indexed loops: this runs once, before V8 optimises it, and unoptimised for-of allocates per element.
  // One lookup per dependency: a dependency on no object finds no position (the objects' node ids
  // are their own ids, or their owners', which are objects too).
  const parts = attached.size > 0;
  const at = new Map<string, number>();
  const nodeOf = new Int32Array(objects.length);
  for (let i = 0; i < objects.length; i++) {
    const id = objects[i]!.id;
    const n = parts ? (attached.get(id) ?? id) : id;
    let p = at.get(n);
    if (p === undefined) {
      p = at.size;
      at.set(n, p);
    }
    nodeOf[i] = p;
  }
  const edges: number[][] = Array.from({ length: at.size }, () => []);
  const waiting = new Int32Array(at.size);
  for (let i = 0; i < objects.length; i++) {
    const from = nodeOf[i]!;
    const deps = objects[i]!.deps;
    for (let j = 0; j < deps.length; j++) {
      const d = deps[j]!;
      const to = at.get(parts ? (attached.get(d) ?? d) : d);
      if (to === undefined || to === from) continue;
      edges[from]!.push(to);
      waiting[to]!++;
    }
  }
  return drains(edges, waiting);
}

/** Whether no path leads from a node back to itself (Kahn's algorithm, on positions). */
function acyclic(graph: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  const at = new Map<string, number>();
  for (const id of graph.keys()) at.set(id, at.size);
  const edges: number[][] = [];
  const waiting = new Int32Array(at.size);
  for (const targets of graph.values()) {
    const list: number[] = [];
    for (const to of targets) {
      const j = at.get(to);
      // A node with no entry has no edges out: it closes no cycle.
      if (j === undefined) continue;
      list.push(j);
      waiting[j]!++;
    }
    edges.push(list);
  }
  return drains(edges, waiting);
}

/**
 * Kahn's algorithm on positions: whether taking nodes with nothing left to
 * wait for empties the graph (`waiting` counts each node's incoming edges and
 * is used up), which is whether it has no cycle.
 */
function drains(edges: readonly (readonly number[])[], waiting: Int32Array): boolean {
  const ready: number[] = [];
  for (let i = 0; i < waiting.length; i++) if (waiting[i] === 0) ready.push(i);
  let done = 0;
  while (ready.length) {
    done++;
    for (const j of edges[ready.pop()!]!) if (--waiting[j]! === 0) ready.push(j);
  }
  return done === waiting.length;
}

/** Tarjan's strongly connected components, iterative (schemas can chain thousands of objects). */
export function stronglyConnected(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { id: string; edges: Iterator<string> }[] = [];
    const visit = (id: string) => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      work.push({ id, edges: (graph.get(id) ?? new Set<string>()).values() });
    };
    visit(root);
    while (work.length) {
      const frame = work[work.length - 1] as (typeof work)[number];
      const next = frame.edges.next();
      if (!next.done) {
        const to = next.value;
        if (!index.has(to)) visit(to);
        else if (onStack.has(to)) low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(to) ?? 0));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        for (;;) {
          const id = stack.pop() as string;
          onStack.delete(id);
          component.push(id);
          if (id === frame.id) break;
        }
        components.push(component);
      }
    }
  }
  return components;
}
