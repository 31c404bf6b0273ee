import type { PgColumn, PgObject, PgTableData, RelationRef } from './model.js';
import { stringPool } from './string-pool.js';

/**
 * Makes the archived schema's repeated values one value each, in place: the
 * footer's JSON gives every dependency its own copy of the id it names, every
 * object its own copy of its kind and of its table's reference, and every
 * table its own copy of each column. The restore keeps the schema to its end,
 * and its peak memory follows what it keeps (docs/BENCHMARKS.md, session 14): at
 * 20,000 tables the copies were ~9 MB of strings (160,000 dependencies,
 * 100,000 relation names), then ~9 MB more of relation references, column
 * records and kind names. Only which object holds a value changes, never a
 * value, so what is restored (and any JSON written from the schema) is the
 * same. The shared references and columns are read-only from here on: nothing
 * of a restore changes them in place (a change copies the object, as
 * fold-defaults.ts and role-map.ts do).
 */
export function shareArchivedStrings(
  objects: readonly PgObject[],
  tables: readonly PgTableData[] = [],
): void {
  const ids = new Map<string, string>();
  for (let i = 0; i < objects.length; i++) {
    const id = objects[i]!.id;
    ids.set(id, id);
  }
  const text = stringPool();
  const relation = relationPool(text);
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    o.kind = text(o.kind) as PgObject['kind'];
    o.section = text(o.section) as PgObject['section'];
    if (o.schema !== null) o.schema = text(o.schema);
    const deps = o.deps;
    for (let j = 0; j < deps.length; j++) {
      const id = ids.get(deps[j]!);
      if (id !== undefined) deps[j] = id;
    }
    if (o.relation) o.relation = relation(o.relation);
    const references = o.references;
    for (let j = 0; references && j < references.length; j++) references[j] = relation(references[j]!);
  }
  const column = columnPool(text);
  for (let i = 0; i < tables.length; i++) {
    const t = tables[i]!;
    t.schema = text(t.schema);
    t.format = text(t.format) as PgTableData['format'];
    const columns = t.columns;
    for (let j = 0; j < columns.length; j++) columns[j] = column(columns[j]!);
  }
}

/**
 * One reference object per relation: a table's indexes, constraints and
 * foreign keys each brought their own `{schema, name}` for it. A reference
 * with any other key than those two is kept as it is.
 */
function relationPool(text: (s: string) => string): (r: RelationRef) => RelationRef {
  const bySchema = new Map<string, Map<string, RelationRef>>();
  return (r) => {
    if (!isPair(r, 'schema', 'name')) return r;
    let names = bySchema.get(r.schema);
    if (!names) {
      names = new Map();
      bySchema.set(r.schema, names);
    }
    const known = names.get(r.name);
    if (known) return known;
    r.schema = text(r.schema);
    r.name = text(r.name);
    names.set(r.name, r);
    return r;
  };
}

/** One record per column name and type: most tables of a schema repeat a few columns (`id integer`). */
function columnPool(text: (s: string) => string): (c: PgColumn) => PgColumn {
  const byName = new Map<string, Map<string, PgColumn>>();
  return (c) => {
    if (!isPair(c, 'name', 'type')) return c;
    let types = byName.get(c.name);
    if (!types) {
      types = new Map();
      byName.set(c.name, types);
    }
    const known = types.get(c.type);
    if (known) return known;
    c.name = text(c.name);
    c.type = text(c.type);
    types.set(c.type, c);
    return c;
  };
}

/** Whether `value` has exactly the two string properties `a` and `b` (so two equal ones are interchangeable). */
function isPair(value: object, a: string, b: string): boolean {
  const record = value as Record<string, unknown>;
  if (typeof record[a] !== 'string' || typeof record[b] !== 'string') return false;
  let keys = 0;
  for (const _ in record) keys++;
  return keys === 2;
}
