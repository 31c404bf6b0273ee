import { qualify } from '../ident.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { breakCycles } from './cycles.js';
import { KeyOwners } from './key-owners.js';
import { notExtensionMember, SYSTEM_SCHEMA_FILTER } from './sql.js';

/**
 * What resolveDependencies needs from the server, read on its own so it can be read alongside the objects.
 * pg_depend's rows are held by position, in typed arrays of their exact length: with 20,000 tables they
 * are 260,000, and as lists of numbers and letters grown by `push` (or an object per row) they were
 * several times their size, while the backup's heap is at its largest.
 */
export interface DependLinks {
  /** Each row's object, as a catalog key (see catalogKey). */
  from: Float64Array;
  /** What it depends on, as a catalog key. */
  to: Float64Array;
  /** Each row's dependency type, the character code of its letter (`deptype`: see DEPTYPE). */
  types: Uint8Array;
  /** User relations in the database (catalog keys): a dependency on one that is not in the backup is dangling. */
  userRelations: Set<number>;
}

/** `pg_depend.deptype` letters as {@link DependLinks.types} holds them. */
export const DEPTYPE = {
  normal: 'n'.charCodeAt(0),
  auto: 'a'.charCodeAt(0),
  internal: 'i'.charCodeAt(0),
  extension: 'e'.charCodeAt(0),
  partitionPrimary: 'P'.charCodeAt(0),
  partitionSecondary: 'S'.charCodeAt(0),
} as const;

/** Links being read: the arrays and how many of their places are filled. */
export interface LinksFill {
  from: Float64Array;
  to: Float64Array;
  types: Uint8Array;
  count: number;
}

/** Empty links with room for `total` rows. */
export function linksFill(total: number): LinksFill {
  return {
    from: new Float64Array(total),
    to: new Float64Array(total),
    types: new Uint8Array(total),
    count: 0,
  };
}

/** Reads `pg_depend` and the database's user relations (see resolveDependencies). */
export async function readDependLinks(ctx: CatalogContext): Promise<DependLinks> {
  // With thousands of tables this is hundreds of thousands of rows. They come as text, a line per
  // row of the two keys made by the server (as catalogKey makes them) and the type, which the
  // client reads in place for a fraction of the CPU of parsing as many protocol rows into row objects. The lines come LINKS_PER_TEXT to a text, in the order of their keys as one text
  // would have them: a single text of all of them (10 MB with 20,000 tables) made the driver grow
  // its receive buffer to twice that, and the client hold it and the text at once. Internal
  // triggers (a foreign key's four) are left out: nothing depends on them, and attaching them to
  // their constraint changed nothing but was a quarter of the rows of a schema of foreign keys.
  // Each text is unpacked as it arrives and dropped (eachRow keeps no rows): holding all of them
  // (8 MB with 20,000 tables) and their row objects until the last came was what reading them kept.
  // Every row also says how many lines there are in all, so the arrays are made once, at their size.
  // The order is by the rows' keys, not the scan's: objects' deps and the warnings follow it, and
  // the scan's order changed with the plan (a hashed join, a parallel or synchronized scan), so the
  // same database read twice gave two schemas in different orders.
  let fill: LinksFill | undefined;
  await ctx.session.eachRow<{ links: string; total: string }>(
    `SELECT pg_catalog.string_agg(l.line, E'\\n' ORDER BY l.n) AS links, pg_catalog.max(l.total)::pg_catalog.text AS total
     FROM (SELECT (d.classid::pg_catalog.int8 * ${2 ** 32} + d.objid::pg_catalog.int8)::pg_catalog.text || ' ' ||
             (d.refclassid::pg_catalog.int8 * ${2 ** 32} + d.refobjid::pg_catalog.int8)::pg_catalog.text || ' ' ||
             d.deptype::pg_catalog.text AS line,
             pg_catalog.row_number() OVER (ORDER BY d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid,
               d.refobjsubid, d.deptype) AS n,
             pg_catalog.count(*) OVER () AS total
           FROM pg_catalog.pg_depend d
           WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype IN ('n', 'a', 'i', 'e', 'P', 'S')
             AND NOT (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.deptype = 'i'
               AND EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid AND t.tgisinternal))) l
     GROUP BY (l.n - 1) / ${LINKS_PER_TEXT}
     ORDER BY (l.n - 1) / ${LINKS_PER_TEXT}`,
    undefined,
    (row) => {
      fill ??= linksFill(Number(row.total));
      unpackLinks(row.links, fill);
    },
    'reading the schema',
  );
  fill ??= linksFill(0);
  if (fill.count !== fill.from.length) {
    throw new Error(`pg_depend gave ${fill.count} links where it counted ${fill.from.length}`);
  }
  const links: DependLinks = { from: fill.from, to: fill.to, types: fill.types, userRelations: new Set() };

  const relations = await rows<{ oid: string }>(
    ctx,
    `SELECT c.oid::text AS oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember('pg_class', 'c.oid')}`,
  );
  for (const r of relations) links.userRelations.add(catalogKey('pg_class', r.oid));
  return links;
}

/** Lines of pg_depend a text of readDependLinks' query holds (about 30 bytes each). */
const LINKS_PER_TEXT = 8192;

/**
 * Adds the lines `from to type` of one of readDependLinks' texts to `out`
 * (the keys made by the server as catalogKey makes them), by position: no
 * string per line, and the engine's own search and number parsing (a loop
 * over characters in JavaScript cost more, run once and unoptimised).
 */
export function unpackLinks(text: string, out: LinksFill): void {
  let n = out.count;
  for (let start = 0; start < text.length; ) {
    const a = text.indexOf(' ', start);
    const b = text.indexOf(' ', a + 1);
    out.from[n] = Number(text.slice(start, a));
    out.to[n] = Number(text.slice(a + 1, b));
    out.types[n] = text.charCodeAt(b + 1);
    n++;
    // The type is one letter, then a line break (or the end).
    start = b + 3;
  }
  out.count = n;
}

/**
 * Turns `pg_depend` into dependencies between the objects the readers made.
 *
 * Each object lists the catalog rows it stands for (its keys). Rows that no
 * reader claimed are attached through internal and extension dependencies: an
 * array type to its element type, a view's `_RETURN` rule to the view, an
 * identity sequence to its table, an extension's types to the extension. Then
 * every normal/auto/partition dependency between two different objects becomes
 * an edge.
 *
 * Objects that depend on a user relation left out of the backup (a view over
 * an excluded table, a foreign key to one) cannot be restored and are dropped
 * here, with their dependents, and reported.
 *
 * Detachable parts of objects (inline CHECK constraints) get dependencies of
 * their own, so that cycles.ts can split them out of a cycle.
 */
export function resolveDependencies(
  ctx: CatalogContext,
  readObjects: CatalogObject[],
  depend: DependLinks,
): CatalogObject[] {
  // Indexed loops over the objects and links (tens of thousands with thousands of tables): this
  // runs once, mostly before V8 optimises it, and unoptimised for-of allocates per element.
  const partOf = new Map<string, string>();
  const objects: CatalogObject[] = [];
  for (let i = 0; i < readObjects.length; i++) {
    const obj = readObjects[i]!;
    objects.push(obj);
    const parts = obj.detachable?.parts;
    for (let j = 0; parts && j < parts.length; j++) {
      objects.push(parts[j]!);
      partOf.set(parts[j]!.id, obj.id);
    }
  }
  const { from: linkFrom, to: linkTo, types, userRelations } = depend;
  // Catalog key → the position of the object standing for it (each edge then needs no lookup by id).
  const owner = KeyOwners.of(objects);
  // Nothing reads the objects' keys again (the schema stores none): let them go before ordering
  // (100,000 small arrays with 20,000 tables).
  for (let i = 0; i < objects.length; i++) (objects[i] as Partial<CatalogObject>).keys = undefined;

  claimInternalRows(owner, depend);

  // Made when first needed (partitions, objects left out, refreshes): with thousands of tables, a map of
  // every id is megabytes that most schemas never ask.
  let everyId: Map<string, CatalogObject> | undefined;
  const byId = (): Map<string, CatalogObject> => {
    if (everyId) return everyId;
    everyId = new Map();
    for (let i = 0; i < objects.length; i++) everyId.set(objects[i]!.id, objects[i]!);
    return everyId;
  };
  const dangling = new Set<string>();
  /** Partitioned index or key → the partitions' indexes or keys attached to it. */
  const attached = new Map<string, string[]>();
  // The edges found, by position, added to the objects' lists all at once below (see DependEdges).
  const edges = new DependEdges(objects.length, types.length);
  /** Objects whose list something pushed into after that: copied at their length at the end. */
  const grown = new Set<CatalogObject>();
  for (let i = 0; i < types.length; i++) {
    const type = types[i];
    if (type === DEPTYPE.extension) continue;
    const f = owner.get(linkFrom[i]!);
    if (f < 0) continue;
    const from = objects[f]!;
    const t = owner.get(linkTo[i]!);
    if (t >= 0) {
      if (t === f) continue;
      const to = objects[t]!.id;
      const attach = type === DEPTYPE.partitionPrimary ? byId().get(`attach:${from.id}`) : undefined;
      if (attach) {
        // A partition's index: the attach step needs the parent index, the build does not.
        attach.deps.push(to);
        grown.add(attach);
        const siblings = attached.get(to);
        if (siblings) siblings.push(attach.id);
        else attached.set(to, [attach.id]);
      } else if (edges.lastTo(f, from.deps, objects) !== to) {
        // (A default or foreign key names its table once per column: rows next to each other.)
        edges.add(f, t);
      }
    } else if (type === DEPTYPE.normal && userRelations.has(linkTo[i]!)) {
      dangling.add(from.id);
    }
  }
  const built = edges.appendTo(objects);
  // A key on a partitioned table is only usable (valid) once every partition's key is attached,
  // so whatever needs it (a foreign key referencing the table) waits for all of them.
  const descendants = (id: string, out: string[] = []): string[] => {
    for (const child of attached.get(id) ?? []) {
      out.push(child);
      descendants(child.slice('attach:'.length), out);
    }
    return out;
  };
  // (Only partitioned indexes and keys have attached ones: most schemas skip this.)
  for (const obj of attached.size ? objects : []) {
    for (const dep of [...obj.deps]) {
      if (!attached.has(dep)) continue;
      const all = descendants(dep);
      // The pieces of the tree themselves only need their own parent.
      if (!all.includes(obj.id) && !all.includes(`attach:${obj.id}`)) {
        obj.deps.push(...all);
        grown.add(obj);
      }
    }
  }
  // Only tables are referenced (a foreign key's): their ids alone, a fifth of all.
  let tableIds: Set<string> | undefined;
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    if (!obj.references) continue;
    tableIds ??= idsOfTables(objects);
    for (const ref of obj.references) {
      if (!tableIds.has(`table:${ref.schema}.${ref.name}`)) dangling.add(obj.id);
    }
  }

  // Drop dangling objects and everything that depends on them, following dependents once each.
  const dependents = new Map<string, string[]>();
  if (dangling.size) {
    for (const obj of objects) {
      for (const d of obj.deps) {
        const list = dependents.get(d);
        if (list) list.push(obj.id);
        else dependents.set(d, [obj.id]);
      }
    }
  }
  const removed = new Set<string>(dangling);
  for (const pending = [...dangling]; pending.length; ) {
    for (const dependent of dependents.get(pending.pop()!) ?? []) {
      if (removed.has(dependent)) continue;
      removed.add(dependent);
      pending.push(dependent);
    }
  }
  for (const id of removed) {
    const obj = byId().get(id);
    // A part (an inline check) goes with its owner, which is reported.
    if (obj && !partOf.has(id) && obj.kind !== 'refresh' && obj.kind !== 'default') {
      const where = obj.relation ? ` (on ${qualify(obj.relation.schema, obj.relation.name)})` : '';
      ctx.warnings.push(
        `${obj.kind} ${obj.schema ? `${obj.schema}.` : ''}${obj.name}${where} is left out: it depends on a table or view that is not in the backup`,
      );
    }
  }

  // (Most schemas lose nothing: then no copy of a list of every object.)
  const kept = removed.size ? objects.filter((o) => !removed.has(o.id)) : objects;
  // Refreshing a materialized view that reads another one has to wait for that one's refresh,
  // also when it reads it through plain views or through functions whose SQL-standard bodies
  // read it (pg_depend records those; a string body's reads stay unknown, as to pg_dump).
  const refreshesNeeded = (id: string, seen: Set<string>): string[] => {
    const out: string[] = [];
    for (const dep of byId().get(id)?.deps ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      if (dep.startsWith('materialized-view:')) {
        const refresh = `refresh:${dep.slice('materialized-view:'.length)}`;
        if (byId().has(refresh)) out.push(refresh);
      } else if (dep.startsWith('view:') || dep.startsWith('function:') || dep.startsWith('aggregate:')) {
        out.push(...refreshesNeeded(dep, seen));
      }
    }
    return out;
  };
  for (let i = 0; i < kept.length; i++) {
    const obj = kept[i]!;
    if (obj.kind !== 'refresh') continue;
    obj.deps.push(...refreshesNeeded(`materialized-view:${obj.schema}.${obj.name}`, new Set()));
    grown.add(obj);
  }
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    if (removed.size && removed.has(obj.id)) continue;
    // A list made above at its length, that nothing pushed into since, is kept when it has no repeats
    // (nor itself, nor a removed id): a copy of each was 100,000 more lists with 20,000 tables.
    if (built[i] && !grown.has(obj) && isExact(obj.deps, obj.id, removed)) continue;
    obj.deps = exactDeps(obj.deps, obj.id, removed);
  }
  return breakCycles(kept, partOf);
}

/**
 * Lets each catalog row no object claimed stand for the object it is internal to (an array type
 * for its element type, a view's rule for the view, an extension's members for the extension),
 * repeating for chains like array → type → table, looking again only at the rows still unclaimed.
 */
export function claimInternalRows(owner: KeyOwners, depend: DependLinks): void {
  const { from: linkFrom, to: linkTo, types } = depend;
  let internal: number[] = [];
  for (let i = 0; i < types.length; i++) {
    const type = types[i];
    if ((type === DEPTYPE.internal || type === DEPTYPE.extension) && owner.get(linkFrom[i]!) < 0)
      internal.push(i);
  }
  for (let changed = true; changed; ) {
    changed = false;
    const unclaimed: number[] = [];
    for (let k = 0; k < internal.length; k++) {
      const i = internal[k]!;
      if (owner.get(linkFrom[i]!) >= 0) continue;
      const to = owner.get(linkTo[i]!);
      if (to >= 0) {
        owner.claim(linkFrom[i]!, to);
        changed = true;
      } else unclaimed.push(i);
    }
    internal = unclaimed;
  }
}

/**
 * `deps` without repeats, `self` and `removed` ids, first occurrences in order,
 * as a new list of exactly that length (an empty list as it is). The lists
 * were grown by `push`, which leaves room for more (17 places from the first),
 * and they are kept to the end of the backup: with 20,000 tables that was
 * 100,000 lists of a few ids and some 6 MiB of empty places; and a foreign key
 * or default names its table once per column, so many had repeats, each
 * dropped through a Set and two more lists. A few ids are compared directly.
 */
export function exactDeps(deps: readonly string[], self: string, removed: ReadonlySet<string>): string[] {
  const n = deps.length;
  if (n === 0) return deps as string[];
  if (n > 16) {
    const seen = new Set<string>();
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const d = deps[i]!;
      if (d === self || seen.has(d) || removed.has(d)) continue;
      seen.add(d);
      out.push(d);
    }
    return out.slice();
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (firstKept(deps, i, self, removed)) count++;
  const out = new Array<string>(count);
  for (let i = 0, k = 0; i < n; i++) if (firstKept(deps, i, self, removed)) out[k++] = deps[i]!;
  return out;
}

/** The ids of the objects that are tables. */
function idsOfTables(objects: readonly CatalogObject[]): Set<string> {
  const ids = new Set<string>();
  for (let i = 0; i < objects.length; i++) if (objects[i]!.id.startsWith('table:')) ids.add(objects[i]!.id);
  return ids;
}

/** Whether exactDeps would keep every id of `deps`: no repeats, not `self`, none removed. */
function isExact(deps: readonly string[], self: string, removed: ReadonlySet<string>): boolean {
  for (let i = 0; i < deps.length; i++) if (!firstKept(deps, i, self, removed)) return false;
  return true;
}

/**
 * The dependencies pg_depend adds to the objects, as pairs of positions in
 * typed arrays, until each object's list is made once at its full length
 * (its own ids, then the added ones in the order of pg_depend's keys). Pushing each one
 * into the object's list, as before, grew 100,000 lists with 20,000 tables
 * to room for 17 ids or more, some 15 MiB, while the backup's heap is at its
 * largest, and left them to be copied at their length afterwards.
 */
class DependEdges {
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private count = 0;
  /** Per object: how many were added, and the last one (-1: none yet). */
  private readonly added: Int32Array;
  private readonly last: Int32Array;

  constructor(objects: number, most: number) {
    this.from = new Int32Array(most);
    this.to = new Int32Array(most);
    this.added = new Int32Array(objects);
    this.last = new Int32Array(objects).fill(-1);
  }

  add(from: number, to: number): void {
    this.from[this.count] = from;
    this.to[this.count] = to;
    this.count++;
    this.added[from]!++;
    this.last[from] = to;
  }

  /** The id the object's list would end with now: the last one added, else the last of its own. */
  lastTo(from: number, own: readonly string[], objects: readonly CatalogObject[]): string | undefined {
    const last = this.last[from]!;
    return last >= 0 ? objects[last]!.id : own[own.length - 1];
  }

  /** Gives each object with added dependencies a new list, its own ids then those; returns which got one (1 by position). */
  appendTo(objects: readonly CatalogObject[]): Uint8Array {
    const n = objects.length;
    // Each object's run of added ids in one array (counted, then placed), in the order they were added.
    const start = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) start[i + 1] = start[i]! + this.added[i]!;
    const placed = start.slice(0, n);
    const order = new Int32Array(this.count);
    for (let k = 0; k < this.count; k++) order[placed[this.from[k]!]!++] = this.to[k]!;
    const built = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const extra = this.added[i]!;
      if (!extra) continue;
      const obj = objects[i]!;
      const own = obj.deps;
      const deps = new Array<string>(own.length + extra);
      for (let j = 0; j < own.length; j++) deps[j] = own[j]!;
      for (let j = 0; j < extra; j++) deps[own.length + j] = objects[order[start[i]! + j]!]!.id;
      obj.deps = deps;
      built[i] = 1;
    }
    return built;
  }
}

/** Whether exactDeps keeps `deps[i]`: kept where it first occurs (an earlier equal one is neither `self` nor removed either). */
function firstKept(deps: readonly string[], i: number, self: string, removed: ReadonlySet<string>): boolean {
  const d = deps[i]!;
  if (d === self || (removed.size > 0 && removed.has(d))) return false;
  for (let j = 0; j < i; j++) if (deps[j] === d) return false;
  return true;
}
