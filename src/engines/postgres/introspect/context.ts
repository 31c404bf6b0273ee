import type { PgSession } from '../connect.js';
import { flat } from '../flat-text.js';
import type { PgObject } from '../model.js';

/** What every catalog reader gets. */
export interface CatalogContext {
  session: PgSession;
  /** `server_version_num`, e.g. 150004: readers pick columns that exist on that version. */
  version: number;
  /** Names of the schemas being backed up. */
  schemas: string[];
  /** OIDs of the selected relations (tables, views, sequences, ...), as text. */
  relations: string[];
  /**
   * Schemas or tables were named (`--schema`/`--table`): database-wide objects
   * (event triggers, publications, subscriptions, default privileges for all
   * schemas, servers no selected foreign table uses) are left out, as pg_dump does.
   */
  selective?: boolean;
  /** Warnings for the backup result (skipped details). */
  warnings: string[];
  /**
   * What the backup cannot carry, one entry per kind with its count (`operators: 3`):
   * the backup is then incomplete, and fails unless that is allowed.
   */
  incomplete: string[];
}

/**
 * An object as a reader produces it: the stored {@link PgObject} plus the
 * catalog identities (`pg_class:16390`) that stand for it in `pg_depend`, used
 * to turn `pg_depend` rows into dependencies between objects. Sub-objects are
 * listed too: a table's row type and its inline CHECK constraints map to the table.
 */
export interface CatalogObject extends PgObject {
  keys: string[];
  /**
   * Parts written inside this object's statements (a table's inline CHECK
   * constraints, a domain's constraints) that can be created on their own,
   * later, when they close a dependency cycle (cycles.ts). Each part is a
   * complete object whose keys are its own; `sqlWithout` rebuilds this
   * object's statements without the parts named.
   */
  detachable?: { parts: CatalogObject[]; sqlWithout: (partIds: ReadonlySet<string>) => string[] };
  /**
   * An empty placeholder of this object (a shell type, a view of NULL
   * columns) that objects it needs, and that need it back, are created after
   * instead (a base type's I/O functions, a function over a view's row type
   * that the view calls). `id` names a placeholder that always exists; one
   * given as `object` is added only when a cycle needs it, and this object's
   * statements then become `sqlOverShell` (CREATE OR REPLACE) and its drop `dropOverShell`.
   */
  shell?: { id: string; object?: CatalogObject; sqlOverShell?: string[]; dropOverShell?: string };
}

/**
 * `deps` without repeats and without `self`, first occurrences in order. The
 * same array when it has neither, as most objects' few dependencies do: with
 * thousands of tables, a new Set and array per object was a large share of
 * ordering the schema.
 */
export function distinctDeps(deps: string[], self: string): string[] {
  if (deps.length <= 8) {
    let clean = true;
    for (let i = 0; i < deps.length && clean; i++) {
      if (deps[i] === self) clean = false;
      for (let j = 0; j < i && clean; j++) if (deps[j] === deps[i]) clean = false;
    }
    if (clean) return deps;
  }
  return [...new Set(deps)].filter((d) => d !== self);
}

/** The identity of a catalog row, as used in {@link CatalogObject.keys}. */
export function catalogKey(catalog: string, oid: string | number): string {
  return flat`${catalog}:${oid}`;
}

/** A query's rows, typed. */
export async function rows<R>(ctx: CatalogContext, sql: string, params?: unknown[]): Promise<R[]> {
  return (await ctx.session.query(sql, params?.map(oidArrayParam), 'reading the schema')).rows as R[];
}

const oidArrayTexts = new WeakMap<readonly unknown[], { length: number; text: string }>();

/**
 * A long array of OIDs (numbers or their text) as the array literal `{16390,16391,…}`, made
 * once per array; anything else unchanged. Most readers pass the same list of
 * thousands of selected relations, which the driver would otherwise quote and
 * join again for each (a tenth of what reading the catalog allocated).
 */
export function oidArrayParam(value: unknown): unknown {
  if (!Array.isArray(value) || value.length < 64) return value;
  const known = oidArrayTexts.get(value);
  if (known && known.length === value.length) return known.text;
  for (const item of value) {
    const digits = typeof item === 'string' ? /^\d+$/.test(item) : Number.isSafeInteger(item) && item >= 0;
    if (!digits) return value;
  }
  const text = `{${value.join(',')}}`;
  oidArrayTexts.set(value, { length: value.length, text });
  return text;
}
