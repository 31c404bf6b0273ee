import { StowageError, UsageError } from '../../errors.js';
import type { StreamSummary } from '../engine.js';
import { orderViews } from './ddl.js';
import {
  NamespaceFilter,
  NamespacePattern,
  NamespaceRenamer,
  splitNamespace,
  validateNamespace,
} from './namespace-filter.js';
import type { MongoRestoreOptions } from './options.js';
import type { MongoCollectionSchema, MongoSchema } from './schema.js';

/**
 * What a MongoDB restore will do, worked out from the archived schema, the
 * options, the archive's stream list and the database the target URL names:
 * no server is asked, so every decision here is testable without one
 * (restore-plan.unit.test.ts). The runner (restore.ts) checks the target
 * against it and executes it.
 */
export interface MongoRestorePlan {
  collections: CollectionPlan[];
  /** In creation order: a view after the view it is defined on. */
  views: ViewPlan[];
  /** Archived namespace → where it is restored (for the oplog replay too). */
  map(ns: string): Target;
  filter: NamespaceFilter;
}

/** Namespace in the archive → namespace on the target. */
export interface Target {
  db: string;
  name: string;
  ns: string;
}

export interface CollectionPlan {
  source: string;
  target: Target;
  schema: MongoCollectionSchema;
  streams: StreamSummary[];
  /** Collection the documents go into: the target itself or its `system.buckets.*`. */
  insertInto: string;
  /** The target exists and is empty: keep it as it is, only add documents and indexes (found by the runner). */
  keepExisting: boolean;
}

export interface ViewPlan {
  source: string;
  target: Target;
  viewOn: string;
  options: Record<string, unknown>;
}

export const listNames = (names: string[]) =>
  names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;

/**
 * Decides which collections and views go where. Throws a {@link UsageError}
 * for a selection that matches nothing, a URL database that cannot hold the
 * archive, or two namespaces mapped onto one; `missing-stream` when the
 * archive lacks a collection's data.
 */
export function planMongoRestore(
  schema: MongoSchema,
  options: MongoRestoreOptions,
  streams: readonly StreamSummary[],
  urlDatabase: string | undefined,
  warn: (message: string) => void,
): MongoRestorePlan {
  const filter = new NamespaceFilter(options.include, options.exclude);
  const renamer = new NamespaceRenamer(options.nsFrom, options.nsTo);
  const retarget = targetDatabase(urlDatabase, schema, filter, renamer, warn);
  const map = (ns: string): Target => {
    let out = renamer.rename(ns);
    if (retarget) out = `${retarget}.${splitNamespace(out).collection}`;
    validateNamespace(out, `restoring ${ns} as`);
    const { db, collection } = splitNamespace(out);
    return { db, name: collection, ns: out };
  };
  const collections = planCollections(schema, streams, filter, map);
  const views = planViews(schema, filter, map, warn);
  assertUniqueTargets(collections, views);
  requireMatches(schema, options.include, 'ns-include');
  const ordered = orderViews(
    views.map((view) => ({ view, name: view.target.ns, viewOn: `${view.target.db}.${view.viewOn}` })),
  ).map(({ view }) => view);
  return { collections, views: ordered, map, filter };
}

/** One unit of the parallel part of a restore; the runner knows how to do each kind. */
export type MongoRestoreWork =
  /** Loads one archived stream into its collection. */
  | { kind: 'load'; collection: CollectionPlan; stream: StreamSummary }
  /** Builds a collection's indexes once all its streams are in; it is then complete. */
  | { kind: 'finish'; collection: CollectionPlan }
  /**
   * A small collection in one go: creates it, builds its indexes while it is
   * empty, then loads its one stream (if any); it is then complete.
   */
  | { kind: 'whole'; collection: CollectionPlan; stream?: StreamSummary };

/** A task of the restore's schedule (see scheduler/scheduler.ts for what the fields mean to it). */
export interface MongoRestoreTask {
  id: string;
  deps: string[];
  /** `database:NAME`, for a per-database limit on streams loading at once (FerretDB). */
  limits: string[];
  priority: number;
  size: number;
  work: MongoRestoreWork;
}

/** The limit key of the streams loading into database `db`. */
export const databaseKey = (db: string) => `database:${db}`;

/** How {@link planLoad} treats small collections. */
export interface LoadPlanOptions {
  /**
   * A collection of documents with at most one stream of at most this many
   * bytes is small: one task creates it, builds its indexes while it is
   * empty, and loads it. Its data is one insert batch, so the index builds
   * cost the same before as after, and the collection takes one task and no
   * waiting for the other collections' creates instead of three steps with a
   * barrier between them (issue 14: thousands of small collections, where
   * each step is a round trip and a task). Unset: no collection is small.
   */
  smallBytes?: number;
}

/** Whether `collection` is restored in one task (see {@link LoadPlanOptions.smallBytes}). */
export function isSmallCollection(collection: CollectionPlan, smallBytes: number | undefined): boolean {
  return (
    smallBytes !== undefined &&
    collection.schema.source === 'documents' &&
    collection.streams.length <= 1 &&
    (collection.streams[0]?.rawBytes ?? 0) <= smallBytes
  );
}

/**
 * Every stream a task, biggest first; each collection's index builds (and
 * its completion) a task that waits for that collection's streams only and
 * goes ahead of any load, so the next stream loads while they run and a
 * collection counts as complete as early as it can. A small collection is
 * one task of its own (see {@link LoadPlanOptions.smallBytes}); it holds no
 * place among the streams loading into its database, since its one batch
 * still waits for the database's insert slots.
 */
export function planLoad(
  collections: readonly CollectionPlan[],
  { smallBytes }: LoadPlanOptions = {},
): MongoRestoreTask[] {
  return collections.flatMap((collection) => {
    if (isSmallCollection(collection, smallBytes)) {
      const stream = collection.streams[0];
      return [
        {
          id: `collection:${collection.target.ns}`,
          deps: [],
          limits: [],
          priority: 0,
          size: stream?.rawBytes ?? 0,
          work: { kind: 'whole', collection, ...(stream ? { stream } : {}) },
        },
      ];
    }
    const loads = collection.streams.map(
      (stream): MongoRestoreTask => ({
        id: `stream:${stream.name}`,
        deps: [],
        limits: [databaseKey(collection.target.db)],
        priority: 0,
        size: stream.rawBytes,
        work: { kind: 'load', collection, stream },
      }),
    );
    const finish: MongoRestoreTask = {
      id: `collection:${collection.target.ns}`,
      deps: loads.map((t) => t.id),
      limits: [],
      priority: 1,
      size: 0,
      work: { kind: 'finish', collection },
    };
    return [...loads, finish];
  });
}

/**
 * The database named in the target URL, when the restore should go there:
 * the archive (after filtering) holds one database and no renames are given.
 * `admin` in a URL usually only names where the user is defined, so it never
 * retargets.
 */
function targetDatabase(
  urlDatabase: string | undefined,
  schema: MongoSchema,
  filter: NamespaceFilter,
  renamer: NamespaceRenamer,
  warn: (m: string) => void,
): string | undefined {
  if (!urlDatabase || urlDatabase === 'admin') return undefined;
  const dbs = schema.databases
    .filter(
      (d) =>
        d.collections.some((c) => filter.accepts(`${d.name}.${c.name}`)) ||
        d.views.some((v) => filter.accepts(`${d.name}.${v.name}`)),
    )
    .map((d) => d.name);
  if (!renamer.isIdentity) {
    warn(`the target URL names database "${urlDatabase}", but --ns-from/--ns-to decide where collections go`);
    return undefined;
  }
  if (dbs.length > 1) {
    throw new UsageError(
      `the target URL names database "${urlDatabase}", but the archive holds ${dbs.length} databases (${listNames(dbs)})`,
      'leave the database out of the URL, pick one with --include "db.*", or map them with --ns-from/--ns-to',
    );
  }
  return urlDatabase;
}

function planCollections(
  schema: MongoSchema,
  streams: readonly StreamSummary[],
  filter: NamespaceFilter,
  map: (ns: string) => Target,
): CollectionPlan[] {
  const available = new Map(streams.map((s) => [s.name, s]));
  const plans: CollectionPlan[] = [];
  for (const db of schema.databases) {
    for (const collection of db.collections) {
      const source = `${db.name}.${collection.name}`;
      if (!filter.accepts(source)) continue;
      const target = map(source);
      const summaries = collection.streams.map((name) => {
        const summary = available.get(name);
        if (!summary) {
          throw new StowageError(
            'missing-stream',
            `the archive has no stream "${name}" for collection ${source}`,
            'the archive is incomplete or damaged; restore from another backup',
          );
        }
        return summary;
      });
      plans.push({
        source,
        target,
        schema: collection,
        streams: summaries,
        insertInto: collection.source === 'buckets' ? `system.buckets.${target.name}` : target.name,
        keepExisting: false,
      });
    }
  }
  return plans;
}

function planViews(
  schema: MongoSchema,
  filter: NamespaceFilter,
  map: (ns: string) => Target,
  warn: (m: string) => void,
): ViewPlan[] {
  const plans: ViewPlan[] = [];
  for (const db of schema.databases) {
    for (const view of db.views) {
      const source = `${db.name}.${view.name}`;
      if (!filter.accepts(source)) continue;
      const target = map(source);
      const viewOnName = String(view.options.viewOn ?? '');
      // Follow the view's source if it was renamed within the same database.
      let viewOn = viewOnName;
      const sourceTarget = map(`${db.name}.${viewOnName}`);
      if (sourceTarget.db === target.db) viewOn = sourceTarget.name;
      else
        warn(
          `view ${target.ns} is defined on ${db.name}.${viewOnName}, which was mapped to another database; it keeps viewOn "${viewOnName}"`,
        );
      plans.push({ source, target, viewOn, options: { ...view.options, viewOn } });
    }
  }
  return plans;
}

function assertUniqueTargets(collections: CollectionPlan[], views: ViewPlan[]) {
  const seen = new Map<string, string>();
  for (const { source, target } of [...collections, ...views]) {
    const other = seen.get(target.ns);
    if (other) {
      throw new UsageError(
        `both ${other} and ${source} would be restored as ${target.ns}`,
        'adjust --ns-from/--ns-to so every namespace maps to a different target',
      );
    }
    seen.set(target.ns, source);
  }
}

/**
 * A selection pattern that matches nothing in the archive is a mistake (a
 * typo, the wrong archive), not a request to restore nothing.
 */
function requireMatches(schema: MongoSchema, patterns: string[] | undefined, flag: string): void {
  const archived = schema.databases.flatMap((d) => [
    ...d.collections.map((c) => `${d.name}.${c.name}`),
    ...d.views.map((v) => `${d.name}.${v.name}`),
  ]);
  for (const pattern of patterns ?? []) {
    const compiled = new NamespacePattern(pattern);
    if (!archived.some((ns) => compiled.matches(ns))) {
      throw new UsageError(
        `--${flag} "${pattern}" matches no collection in the archive`,
        `the archive holds ${listNames(archived) || 'no collections'}; check the pattern`,
      );
    }
  }
}
