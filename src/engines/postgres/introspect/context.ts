import type { PgSession } from '../connect.js';
import type { PgObject } from '../model.js';
import type { CatalogTableData } from './packed-table-data.js';

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
  /**
   * Set while a catalog of thousands of relations is read: a reader hands each object it
   * builds through it and keeps what it gives back (packed-object.ts), so the object's
   * statements leave the heap as it is built. Optional: a reader may return objects as built.
   */
  pack?: (object: CatalogObject) => CatalogObject;
  /** Set with {@link pack}: a table's data entry goes through it as it is built (packed-table-data.ts). */
  packTableData?: (entry: CatalogTableData) => CatalogTableData;
}

/**
 * An object as a reader produces it: the stored {@link PgObject} plus the
 * catalog identities (catalogKey) that stand for it in `pg_depend`, used
 * to turn `pg_depend` rows into dependencies between objects. Sub-objects are
 * listed too: a table's row type and its inline CHECK constraints map to the table.
 */
export interface CatalogObject extends PgObject {
  keys: number[];
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

/**
 * The OIDs of the system catalogs whose rows the readers claim, fixed by
 * PostgreSQL's catalog definitions (the same on every version that has the
 * catalog; pg_dump compiles them in too). pg_depend names catalogs by these.
 */
export const CATALOG_OIDS = {
  pg_default_acl: 826,
  pg_type: 1247,
  pg_proc: 1255,
  pg_class: 1259,
  pg_foreign_server: 1417,
  pg_user_mapping: 1418,
  pg_foreign_data_wrapper: 2328,
  pg_am: 2601,
  pg_amop: 2602,
  pg_amproc: 2603,
  pg_attrdef: 2604,
  pg_cast: 2605,
  pg_constraint: 2606,
  pg_conversion: 2607,
  pg_language: 2612,
  pg_namespace: 2615,
  pg_opclass: 2616,
  pg_operator: 2617,
  pg_rewrite: 2618,
  pg_trigger: 2620,
  pg_opfamily: 2753,
  pg_extension: 3079,
  pg_policy: 3256,
  pg_statistic_ext: 3381,
  pg_collation: 3456,
  pg_event_trigger: 3466,
  pg_transform: 3576,
  pg_ts_dict: 3600,
  pg_ts_parser: 3601,
  pg_ts_config: 3602,
  pg_ts_template: 3764,
  pg_subscription: 6100,
  pg_publication: 6104,
  pg_publication_rel: 6106,
} as const;

/** A system catalog the readers claim rows of. */
export type CatalogName = keyof typeof CATALOG_OIDS;

/**
 * The identity of a catalog row, as used in {@link CatalogObject.keys}: the
 * catalog's OID and the row's as one number, `catalog OID × 2³² + row OID`
 * (exact: catalog OIDs are below 2²¹). Numbers, not `pg_class:16390` texts:
 * with thousands of tables, making, hashing and comparing hundreds of
 * thousands of such strings was most of turning pg_depend into dependencies.
 */
export function catalogKey(catalog: CatalogName, oid: string | number): number {
  return CATALOG_OIDS[catalog] * 4294967296 + Number(oid);
}

/** `object` packed when the catalog packs its objects (see {@link CatalogContext.pack}), else as it is. */
export function kept(ctx: CatalogContext, object: CatalogObject): CatalogObject {
  return ctx.pack ? ctx.pack(object) : object;
}

/**
 * Hands each of a query's rows to `onRow` as it arrives, keeping none: a reader that
 * turns each row into its objects at once never holds the whole result (with thousands
 * of tables, tens of MB of row objects while the catalog is read).
 */
export function eachRow<R>(
  ctx: CatalogContext,
  sql: string,
  params: unknown[] | undefined,
  onRow: (row: R) => void,
): Promise<void> {
  return ctx.session.eachRow<R & object>(
    sql,
    params?.map(oidArrayParam),
    onRow as (row: R & object) => void,
    'reading the schema',
  );
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
