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
  // One reference object per relation: a table's indexes, constraints and foreign keys each
  // brought their own `{schema, name}` for it.
  const relation = pairPool<RelationRef>(text, 'schema', 'name');
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
  // One record per column name and type: most tables of a schema repeat a few columns (`id integer`).
  const column = pairPool<PgColumn>(text, 'name', 'type');
  for (let i = 0; i < tables.length; i++) {
    const t = tables[i]!;
    t.schema = text(t.schema);
    t.format = text(t.format) as PgTableData['format'];
    const columns = t.columns;
    for (let j = 0; j < columns.length; j++) columns[j] = column(columns[j]!);
  }
}

/**
 * One record per value of the two string properties `a` and `b`: equal
 * records are interchangeable, so later ones give way to the first. A record
 * with any other key than those two is kept as it is.
 */
export function pairPool<T extends object>(
  text: (s: string) => string,
  a: keyof T & string,
  b: keyof T & string,
): (record: T) => T {
  const byFirst = new Map<string, Map<string, T>>();
  return (record) => {
    if (!isPair(record, a, b)) return record;
    const values = record as Record<string, string>;
    let seconds = byFirst.get(values[a]!);
    if (!seconds) {
      seconds = new Map();
      byFirst.set(values[a]!, seconds);
    }
    const known = seconds.get(values[b]!);
    if (known) return known;
    values[a] = text(values[a]!);
    values[b] = text(values[b]!);
    seconds.set(values[b], record);
    return record;
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
