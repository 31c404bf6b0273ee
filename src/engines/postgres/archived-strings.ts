import type { PgObject } from './model.js';
import { stringPool } from './string-pool.js';

/**
 * Makes the archived schema's repeated strings one string each, in place: the
 * footer's JSON gives every dependency its own copy of the id it names, and
 * every object its own copy of its table's name. The restore keeps the schema
 * to its end; at 20,000 tables the copies were ~9 MB of its heap (160,000
 * dependencies, 100,000 relation names). Only the string objects change, never
 * a value, so what is restored (and any JSON written from the schema) is the same.
 */
export function shareArchivedStrings(objects: readonly PgObject[]): void {
  const ids = new Map<string, string>();
  for (let i = 0; i < objects.length; i++) {
    const id = objects[i]!.id;
    ids.set(id, id);
  }
  const name = stringPool();
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const deps = o.deps;
    for (let j = 0; j < deps.length; j++) {
      const id = ids.get(deps[j]!);
      if (id !== undefined) deps[j] = id;
    }
    if (o.relation) o.relation.name = name(o.relation.name);
    const references = o.references;
    for (let j = 0; references && j < references.length; j++) references[j]!.name = name(references[j]!.name);
  }
}
