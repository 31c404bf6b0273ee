import { qualify } from '../ident.js';
import { type CatalogContext, type CatalogObject, catalogKey, distinctDeps, rows } from './context.js';
import { breakCycles } from './cycles.js';
import { notExtensionMember, SYSTEM_SCHEMA_FILTER } from './sql.js';

/** A `pg_depend` row as two catalog keys (see catalogKey) and its type. */
export interface DependRow {
  from: string;
  to: string;
  type: string;
}

/** What resolveDependencies needs from the server, read on its own so it can be read alongside the objects. */
export interface DependLinks {
  links: DependRow[];
  /** User relations in the database: a dependency on one that is not in the backup is dangling. */
  userRelations: Set<string>;
}

/** Reads `pg_depend` and the database's user relations (see resolveDependencies). */
export async function readDependLinks(ctx: CatalogContext): Promise<DependLinks> {
  // The keys are made by the server (as catalogKey makes them): with thousands of tables this is
  // hundreds of thousands of rows, and three flat strings a row cost the client a fraction of five
  // fields and two keys built from them. They come as text, a line per row, which the client
  // splits for less than half the CPU of parsing as many protocol rows into row objects (no key
  // holds a space or a line break: catalog names and OIDs). The lines come LINKS_PER_TEXT to a
  // text, in pg_depend's order as one text would have them: a single text of all of them (10 MB
  // with 20,000 tables) made the driver grow its receive buffer to twice that, and the client hold
  // it and the text at once. Internal triggers (a foreign key's four) are left out: nothing depends
  // on them, and attaching them to their constraint changed nothing but was a quarter of the rows
  // of a schema of foreign keys.
  const texts = await rows<{ links: string }>(
    ctx,
    `SELECT pg_catalog.string_agg(l.line, E'\\n' ORDER BY l.n) AS links
     FROM (SELECT d.classid::pg_catalog.regclass::text || ':' || d.objid::text || ' ' ||
             d.refclassid::pg_catalog.regclass::text || ':' || d.refobjid::text || ' ' || d.deptype::pg_catalog.text AS line,
             pg_catalog.row_number() OVER () AS n
           FROM pg_catalog.pg_depend d
           WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype IN ('n', 'a', 'i', 'e', 'P', 'S')
             AND NOT (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.deptype = 'i'
               AND EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid AND t.tgisinternal))) l
     GROUP BY (l.n - 1) / ${LINKS_PER_TEXT}
     ORDER BY (l.n - 1) / ${LINKS_PER_TEXT}`,
  );
  const links: DependRow[] = [];
  for (const { links: text } of texts) unpackLinks(text, links);

  const userRelations = new Set(
    (
      await rows<{ oid: string }>(
        ctx,
        `SELECT c.oid::text AS oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember('pg_class', 'c.oid')}`,
      )
    ).map((r) => catalogKey('pg_class', r.oid)),
  );
  return { links, userRelations };
}

/** Lines of pg_depend a text of readDependLinks' query holds (about 40 bytes each). */
const LINKS_PER_TEXT = 8192;

/**
 * Adds the lines `from to type` of one of readDependLinks' texts to `out`, by
 * position: splitting into lines first made a string per line to throw away.
 */
export function unpackLinks(text: string, out: DependRow[]): void {
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const a = text.indexOf(' ', start);
    const b = text.indexOf(' ', a + 1);
    out.push({ from: text.slice(start, a), to: text.slice(a + 1, b), type: text.slice(b + 1, end) });
    start = end + 1;
  }
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
  const { links, userRelations } = depend;
  // Catalog key → the object standing for it (the object, not its id: each edge then needs no lookup by id).
  const owner = new Map<string, CatalogObject>();
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    const keys = obj.keys;
    for (let j = 0; j < keys.length; j++) owner.set(keys[j]!, obj);
  }

  // Attach unclaimed catalog rows to the object they are internal to (repeat: chains like array → type → table),
  // looking again only at the rows still unclaimed.
  let internal = links.filter((l) => (l.type === 'i' || l.type === 'e') && !owner.has(l.from));
  for (let changed = true; changed; ) {
    changed = false;
    const unclaimed: typeof internal = [];
    for (let i = 0; i < internal.length; i++) {
      const l = internal[i]!;
      if (owner.has(l.from)) continue;
      const to = owner.get(l.to);
      if (to) {
        owner.set(l.from, to);
        changed = true;
      } else unclaimed.push(l);
    }
    internal = unclaimed;
  }

  const byId = new Map<string, CatalogObject>();
  for (let i = 0; i < objects.length; i++) byId.set(objects[i]!.id, objects[i]!);
  const dangling = new Set<string>();
  /** Partitioned index or key → the partitions' indexes or keys attached to it. */
  const attached = new Map<string, string[]>();
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    if (l.type === 'e') continue;
    const from = owner.get(l.from);
    if (!from) continue;
    const toObject = owner.get(l.to);
    if (toObject) {
      if (toObject === from) continue;
      const to = toObject.id;
      const attach = l.type === 'P' ? byId.get(`attach:${from.id}`) : undefined;
      if (attach) {
        // A partition's index: the attach step needs the parent index, the build does not.
        attach.deps.push(to);
        const siblings = attached.get(to);
        if (siblings) siblings.push(attach.id);
        else attached.set(to, [attach.id]);
      } else {
        from.deps.push(to);
      }
    } else if (l.type === 'n' && userRelations.has(l.to)) {
      dangling.add(from.id);
    }
  }
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
      if (!all.includes(obj.id) && !all.includes(`attach:${obj.id}`)) obj.deps.push(...all);
    }
  }
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    if (!obj.references) continue;
    for (const ref of obj.references) {
      if (!byId.has(`table:${ref.schema}.${ref.name}`)) dangling.add(obj.id);
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
    const obj = byId.get(id);
    // A part (an inline check) goes with its owner, which is reported.
    if (obj && !partOf.has(id) && obj.kind !== 'refresh' && obj.kind !== 'default') {
      const where = obj.relation ? ` (on ${qualify(obj.relation.schema, obj.relation.name)})` : '';
      ctx.warnings.push(
        `${obj.kind} ${obj.schema ? `${obj.schema}.` : ''}${obj.name}${where} is left out: it depends on a table or view that is not in the backup`,
      );
    }
  }

  const kept = objects.filter((o) => !removed.has(o.id));
  // Refreshing a materialized view that reads another one has to wait for that one's refresh,
  // also when it reads it through plain views or through functions whose SQL-standard bodies
  // read it (pg_depend records those; a string body's reads stay unknown, as to pg_dump).
  const refreshesNeeded = (id: string, seen: Set<string>): string[] => {
    const out: string[] = [];
    for (const dep of byId.get(id)?.deps ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      if (dep.startsWith('materialized-view:')) {
        const refresh = `refresh:${dep.slice('materialized-view:'.length)}`;
        if (byId.has(refresh)) out.push(refresh);
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
  }
  for (let i = 0; i < kept.length; i++) {
    const obj = kept[i]!;
    obj.deps = distinctDeps(removed.size ? obj.deps.filter((d) => !removed.has(d)) : obj.deps, obj.id);
  }
  return breakCycles(kept, partOf);
}
