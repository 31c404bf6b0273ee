import type { MongoClient } from 'mongodb';
import { StowageError, UsageError } from '../../errors.js';
import type { EngineRestoreRequest, EngineRestoreResult, StreamReaderSet, StreamSummary } from '../engine.js';
import { countUnits } from '../nouns.js';
import { BatchPool } from './batch-pool.js';
import { type LoadReport, loadStream } from './collection-load.js';
import { connect, type ServerInfo } from './connect.js';
import {
  createCollection,
  createIndexes,
  createView,
  dropNamespace,
  indexesToBuild,
  orderViews,
} from './ddl.js';
import { toStowageError } from './mongo-errors.js';
import {
  NamespaceFilter,
  NamespacePattern,
  NamespaceRenamer,
  splitNamespace,
  validateNamespace,
} from './namespace-filter.js';
import { replayOplog } from './oplog.js';
import type { MongoRestoreOptions } from './options.js';
import { RawInserter } from './raw-insert.js';
import { type MongoCollectionSchema, type MongoSchema, parseMongoSchema } from './schema.js';
import { throwIfAborted } from './stream-io.js';
import { runPool, Semaphore } from './work-pool.js';

/**
 * Restore: check everything that can be checked before writing anything
 * (schema, streams, names, existing data), then create collections with their
 * options, load documents in parallel, build each collection's indexes as soon
 * as its data is in, create views once their sources exist, and finally replay
 * the oplog. A failure names the collections that are complete.
 */

const DEFAULT_BATCH_BYTES = 1024 * 1024;
/**
 * All insert batches of a restore together, whatever the jobs and workers:
 * the part of a restore's memory that would otherwise grow with its settings.
 */
const DEFAULT_BATCH_BUDGET_BYTES = 16 * 1024 * 1024;
const DEFAULT_WORKERS_PER_COLLECTION = 2;
/**
 * FerretDB's SQLite backend keeps a database in one file with one writer:
 * inserts beyond a couple at a time into the same database only queue on its
 * lock (measured on 200,000 documents: ~16 s with 2 in flight, ~27 s with 8).
 */
const FERRETDB_INSERTS_PER_DATABASE = 2;
/**
 * Streams of one database loading at once on FerretDB: no more than can
 * insert. A further stream would only wait, holding its archive read-ahead and
 * a batch (measured on 200,000 documents with 4 jobs: the same speed as 4
 * streams at once, and a peak RSS of ~150 MiB instead of ~195 MiB).
 */
const FERRETDB_STREAMS_PER_DATABASE = FERRETDB_INSERTS_PER_DATABASE;

/** Namespace in the archive → namespace on the target. */
interface Target {
  db: string;
  name: string;
  ns: string;
}

interface CollectionPlan {
  source: string;
  target: Target;
  schema: MongoCollectionSchema;
  streams: StreamSummary[];
  /** Collection the documents go into: the target itself or its `system.buckets.*`. */
  insertInto: string;
  /** The target exists and is empty: keep it as it is, only add documents and indexes. */
  keepExisting: boolean;
}

interface ViewPlan {
  source: string;
  target: Target;
  viewOn: string;
  options: Record<string, unknown>;
}

/** A restore that stopped part way; lists which collections were fully restored. */
export class MongoRestoreError extends StowageError {
  constructor(
    cause: StowageError,
    readonly complete: string[],
    readonly incomplete: string[],
    /** Documents the server acknowledged, incomplete collections included: they stay in the target. */
    readonly inserted = 0,
  ) {
    super(
      cause.code,
      `${cause.message}; ${describeProgress(complete, incomplete)}; ${inserted.toLocaleString('en-US')} documents inserted`,
      cause.hint,
      { cause },
    );
    this.name = 'MongoRestoreError';
  }
}

/** Documents were refused by the server (duplicate keys, validation); everything else was restored. */
export class DocumentsRejectedError extends StowageError {
  constructor(
    message: string,
    readonly rejected: Record<
      string,
      { duplicateKeys: number; validationFailures: number; otherFailures: number; samples: string[] }
    >,
    readonly items: Record<string, number>,
  ) {
    super(
      'mongo-documents-rejected',
      message,
      'the warnings name each collection and the first server messages; --bypass-document-validation restores documents that fail a validator',
    );
    this.name = 'DocumentsRejectedError';
  }
}

const listNames = (names: string[]) =>
  names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;

function describeProgress(complete: string[], incomplete: string[]): string {
  const done = complete.length ? `complete: ${listNames(complete)}` : 'no collection is complete';
  return incomplete.length ? `${done}; not complete: ${listNames(incomplete)}` : done;
}

export async function restoreMongo(
  request: EngineRestoreRequest<MongoRestoreOptions>,
): Promise<EngineRestoreResult> {
  const { url, progress, signal } = request;
  const options = request.options ?? {};
  const schema = parseMongoSchema(request.schema);
  const jobs = Math.max(1, Math.floor(request.jobs || 1));
  const workers = Math.max(1, Math.floor(options.workersPerCollection ?? DEFAULT_WORKERS_PER_COLLECTION));
  const batchBytes = Math.max(16 * 1024, Math.floor(options.batchBytes ?? DEFAULT_BATCH_BYTES));
  const budgetBytes = Math.max(
    batchBytes,
    Math.floor(options.batchBudgetBytes ?? Math.max(DEFAULT_BATCH_BUDGET_BYTES, 2 * batchBytes)),
  );
  const filter = new NamespaceFilter(options.include, options.exclude);
  const renamer = new NamespaceRenamer(options.nsFrom, options.nsTo);

  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    progress({ type: 'warning', message });
  };

  progress({ type: 'phase', phase: 'connect' });
  const connection = await connect(url, { poolSize: jobs * workers + 2 });
  const { client, server } = connection;

  const complete: string[] = [];
  let collections: CollectionPlan[] = [];
  let stoppedBeforeWrite: unknown;
  let inserted = 0;
  try {
    progress({ type: 'phase', phase: 'prepare' });
    const retarget = targetDatabase(connection.urlDatabase, schema, filter, renamer, warn);
    const map = (ns: string): Target => {
      let out = renamer.rename(ns);
      if (retarget) out = `${retarget}.${splitNamespace(out).collection}`;
      validateNamespace(out, `restoring ${ns} as`);
      const { db, collection } = splitNamespace(out);
      return { db, name: collection, ns: out };
    };
    collections = planCollections(schema, request.streams, filter, map);
    const views = planViews(schema, filter, map, warn);
    assertUniqueTargets(collections, views);
    if (!serverSupportsBuckets(server) && collections.some((c) => c.schema.source === 'buckets')) {
      throw new StowageError(
        'mongo-unsupported',
        'the archive holds time series collections, which this server cannot store',
        'restore into MongoDB 5.0 or newer, or exclude them with --exclude',
      );
    }

    requireMatches(schema, options.include, 'ns-include');
    const existing = await prepareTargets(client, collections, views, !!options.drop, warn);
    const replaced = [...existing.keys()];
    await request
      .beforeWrite?.({
        units: [...collections, ...views].map((p) => p.target.ns),
        replaced,
        backupOptions: {
          databases: [...new Set(replaced.map((ns) => splitNamespace(ns).db))],
          include: replaced,
        },
      })
      .catch((err: unknown) => {
        stoppedBeforeWrite = err;
        throw err;
      });
    if (options.drop)
      for (const [ns, db] of existing) await dropNamespace(client, db, ns.slice(db.length + 1));

    progress({
      type: 'plan',
      units: collections.map((c) => ({
        name: c.target.ns,
        estimatedItems: c.schema.documents,
        estimatedBytes: c.streams.reduce((n, s) => n + s.rawBytes, 0),
      })),
      summary: countUnits('mongodb', collections.length),
    });

    for (const plan of collections) {
      if (!plan.keepExisting)
        await createCollection(client, plan.target.db, plan.target.name, plan.schema.options);
    }

    progress({ type: 'phase', phase: 'data' });
    // One pool for every stream: the budget bounds the whole restore, not each collection.
    const batches = new BatchPool(
      Math.min(batchBytes, server.maxMessageSizeBytes - 1024 * 1024),
      budgetBytes,
    );
    const reports = new Map<string, LoadReport>();
    const remaining = new Map(collections.map((c) => [c, c.streams.length]));
    const tasks = collections
      .flatMap((plan) => plan.streams.map((stream) => ({ plan, stream })))
      .sort((a, b) => b.stream.rawBytes - a.stream.rawBytes);
    const perCollection = new Map<CollectionPlan, { documents: number; bytes: number }>();
    const started = new Set<CollectionPlan>();
    // FerretDB only: per-database limits on inserts in flight and on streams loading.
    const perDatabase = (limit: number) => {
      const slots = new Map<string, Semaphore>();
      return (db: string): Semaphore | undefined => {
        if (!server.ferretdb) return undefined;
        const known = slots.get(db);
        if (known) return known;
        const created = new Semaphore(limit);
        slots.set(db, created);
        return created;
      };
    };
    const sharedSlots = perDatabase(FERRETDB_INSERTS_PER_DATABASE);
    const streamSlots = perDatabase(FERRETDB_STREAMS_PER_DATABASE);

    const finishCollection = async (plan: CollectionPlan) => {
      if (!options.noIndexes) {
        await createIndexes(
          client,
          plan.target.db,
          plan.target.name,
          indexesToBuild(plan.schema.indexes),
        ).catch((error: unknown) => {
          throw toStowageError(error, { url, during: `index builds of ${plan.target.ns}` });
        });
      }
      complete.push(plan.target.ns);
      const t = perCollection.get(plan) ?? { documents: 0, bytes: 0 };
      progress({ type: 'unit-done', name: plan.target.ns, items: t.documents, bytes: t.bytes });
    };
    // Collections without documents still need their indexes.
    for (const plan of collections) {
      if (plan.streams.length === 0) {
        progress({ type: 'unit-start', name: plan.target.ns });
        await finishCollection(plan);
      }
    }

    /** Loads one archive stream into its collection; announces the collection on its first stream. */
    async function loadCollectionStream(plan: CollectionPlan, stream: StreamSummary): Promise<LoadReport> {
      if (!started.has(plan)) {
        started.add(plan);
        progress({ type: 'unit-start', name: plan.target.ns });
      }
      const inserter = new RawInserter(client, plan.target.db, plan.insertInto, {
        ordered: !!options.stopOnError,
        ...(options.bypassDocumentValidation ? { bypassDocumentValidation: true } : {}),
      });
      const before = { documents: 0, bytes: 0 };
      return loadStream(inserter, request.streams.open(stream.name), {
        streamName: stream.name,
        namespace: plan.target.ns,
        batches,
        batchDocuments: server.maxWriteBatchSize,
        maxDocumentBytes: server.maxBsonObjectSize,
        workers,
        ...(sharedSlots(plan.target.db) ? { shared: sharedSlots(plan.target.db)! } : {}),
        stopOnError: !!options.stopOnError,
        onProgress: (documents, bytes) => {
          const t = perCollection.get(plan) ?? { documents: 0, bytes: 0 };
          t.documents += documents - before.documents;
          inserted += documents - before.documents;
          t.bytes += bytes - before.bytes;
          before.documents = documents;
          before.bytes = bytes;
          perCollection.set(plan, t);
          progress({ type: 'unit-progress', name: plan.target.ns, items: t.documents, bytes: t.bytes });
        },
        ...(signal ? { signal } : {}),
      }).catch((error: unknown) => {
        throw toStowageError(error, { url, during: `restore of ${plan.target.ns}` });
      });
    }

    await runPool(tasks, jobs, async ({ plan, stream }) => {
      throwIfAborted(signal, 'restore');
      const streamSlot = streamSlots(plan.target.db);
      await streamSlot?.acquire();
      let report: LoadReport;
      try {
        report = await loadCollectionStream(plan, stream);
      } finally {
        // Released before the index builds, so the next stream loads while they run.
        streamSlot?.release();
      }
      reports.set(stream.name, report);
      const left = remaining.get(plan)! - 1;
      remaining.set(plan, left);
      if (left === 0) await finishCollection(plan);
    });

    if (views.length) {
      progress({ type: 'phase', phase: 'views' });
      for (const view of orderViews(
        views.map((v) => ({ ...v, name: v.target.ns, viewOn: `${v.target.db}.${v.viewOn}` })),
      )) {
        await createView(client, view.target.db, view.target.name, view.options).catch((error: unknown) => {
          throw toStowageError(error, { url, during: `creating view ${view.target.ns}` });
        });
        complete.push(view.target.ns);
      }
    }

    if (options.usersAndRoles) await restoreAuth(client, schema, request.streams, !!options.drop, warn);

    if (schema.oplog && options.oplogReplay !== false) {
      progress({ type: 'phase', phase: 'oplog' });
      // Entries of any collection of the archived databases apply, including
      // collections created while the dump ran; include/exclude and renames
      // apply to them as to the data. System collections are left alone.
      const archived = new Set(schema.databases.map((d) => d.name));
      const mapNamespace = (ns: string): string | null => {
        const dot = ns.indexOf('.');
        if (dot <= 0 || !archived.has(ns.slice(0, dot))) return null;
        const collection = ns.slice(dot + 1);
        if (collection.startsWith('system.') && collection !== 'system.js') return null;
        return filter.accepts(ns) ? map(ns).ns : null;
      };
      const { applied, skipped } = await replayOplog(
        client,
        request.streams.open(schema.oplog.stream),
        schema.oplog.stream,
        mapNamespace,
        signal,
      );
      if (skipped)
        warn(
          `oplog replay: ${applied} entries applied, ${skipped} skipped (other namespaces or not replayable)`,
        );
    }

    const items: Record<string, number> = {};
    for (const [name, report] of reports) items[name] = report.inserted;
    const rejected: DocumentsRejectedError['rejected'] = {};
    let totalRejected = 0;
    for (const plan of collections) {
      const sums = { duplicateKeys: 0, validationFailures: 0, otherFailures: 0, samples: [] as string[] };
      for (const s of plan.streams) {
        const r = reports.get(s.name);
        if (!r) continue;
        sums.duplicateKeys += r.duplicateKeys;
        sums.validationFailures += r.validationFailures;
        sums.otherFailures += r.otherFailures;
        sums.samples.push(...r.samples);
      }
      const n = sums.duplicateKeys + sums.validationFailures + sums.otherFailures;
      if (n === 0) continue;
      totalRejected += n;
      rejected[plan.target.ns] = { ...sums, samples: sums.samples.slice(0, 5) };
      warn(
        `${plan.target.ns}: ${n} document(s) rejected by the server (${sums.duplicateKeys} duplicate key, ${sums.validationFailures} validation, ${sums.otherFailures} other); first: ${sums.samples[0]}`,
      );
    }
    if (totalRejected > 0) {
      throw new DocumentsRejectedError(
        `restore finished, but the server rejected ${totalRejected} document(s) in ${listNames(Object.keys(rejected))}`,
        rejected,
        items,
      );
    }
    return { database: [...new Set(collections.map((c) => c.target.db))].join(','), items, warnings };
  } catch (error) {
    // Declined or failed before anything was written: the caller's own error, as it is.
    if (error === stoppedBeforeWrite) throw error;
    if (error instanceof DocumentsRejectedError || error instanceof UsageError) throw error;
    const failure = toStowageError(error, { url, during: 'restore' });
    if (collections.length === 0 && complete.length === 0) throw failure;
    const incomplete = collections.map((c) => c.target.ns).filter((ns) => !complete.includes(ns));
    throw new MongoRestoreError(failure, complete, incomplete, inserted);
  } finally {
    await connection.close().catch(() => {});
  }
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
  streams: StreamReaderSet,
  filter: NamespaceFilter,
  map: (ns: string) => Target,
): CollectionPlan[] {
  const available = new Map(streams.list().map((s) => [s.name, s]));
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

function serverSupportsBuckets(server: ServerInfo): boolean {
  return !server.ferretdb && Number.parseInt(server.version, 10) >= 5;
}

/**
 * Refuses to mix a restore into existing data unless `--drop` is given. All
 * conflicts are found before anything is changed, so a refused restore leaves
 * the target untouched. Returns the target namespaces that exist (namespace →
 * database): with `--drop` they are dropped, once the caller has backed them up.
 */
async function prepareTargets(
  client: MongoClient,
  collections: CollectionPlan[],
  views: ViewPlan[],
  drop: boolean,
  warn: (m: string) => void,
): Promise<Map<string, string>> {
  const byDb = new Map<string, Target[]>();
  for (const { target } of [...collections, ...views])
    byDb.set(target.db, [...(byDb.get(target.db) ?? []), target]);
  const conflicts: string[] = [];
  const emptyExisting = new Set<string>();
  const found = new Map<string, string>();
  for (const [db, targets] of byDb) {
    const names = targets.map((t) => t.name);
    const existing = await client
      .db(db)
      .listCollections({ name: { $in: names } }, { nameOnly: false, authorizedCollections: true })
      .toArray();
    for (const info of existing) {
      const ns = `${db}.${info.name}`;
      if (drop) {
        found.set(ns, db);
        continue;
      }
      if (info.type === 'view') {
        conflicts.push(ns);
        continue;
      }
      const hasData = await client
        .db(db)
        .collection(info.name)
        .findOne({}, { projection: { _id: 1 } });
      if (hasData) conflicts.push(ns);
      else emptyExisting.add(ns);
    }
  }
  if (conflicts.length > 0) {
    throw new UsageError(
      `the target already has ${conflicts.length === 1 ? 'a collection' : `${conflicts.length} collections`} with data: ${listNames(conflicts)}`,
      'pass --drop to replace them, or restore under other names with --ns-from/--ns-to',
    );
  }
  for (const plan of collections) {
    if (emptyExisting.has(plan.target.ns)) {
      plan.keepExisting = true;
      warn(
        `${plan.target.ns} already exists (empty); documents and indexes are added to it and its options are kept`,
      );
    }
  }
  for (const view of views) {
    if (emptyExisting.has(view.target.ns)) {
      throw new UsageError(
        `${view.target.ns} exists as a collection, so the view cannot be created`,
        'pass --drop to replace it',
      );
    }
  }
  return found;
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

/**
 * Users and roles: loaded into temporary collections and merged by the server
 * (`_mergeAuthzCollections`), the way mongorestore does it, because
 * `admin.system.users` must not be written directly.
 */
async function restoreAuth(
  client: MongoClient,
  schema: MongoSchema,
  streams: StreamReaderSet,
  drop: boolean,
  warn: (m: string) => void,
): Promise<void> {
  if (!schema.auth?.users && !schema.auth?.roles) {
    warn('users and roles were asked for, but the archive has none (back up with --users-and-roles)');
    return;
  }
  const temp = { users: 'tempusers', roles: 'temproles' } as const;
  const admin = client.db('admin');
  for (const key of ['users', 'roles'] as const) {
    const stream = schema.auth[key];
    await dropNamespace(client, 'admin', temp[key]);
    if (!stream) continue;
    const inserter = new RawInserter(client, 'admin', temp[key], { ordered: true });
    await loadStream(inserter, streams.open(stream), {
      streamName: stream,
      namespace: `admin.${temp[key]}`,
      batches: new BatchPool(DEFAULT_BATCH_BYTES, 2 * DEFAULT_BATCH_BYTES),
      batchDocuments: 1000,
      maxDocumentBytes: 16 * 1024 * 1024,
      workers: 1,
      stopOnError: true,
    });
  }
  try {
    await admin.command({
      _mergeAuthzCollections: 1,
      tempUsersCollection: `admin.${temp.users}`,
      tempRolesCollection: `admin.${temp.roles}`,
      drop,
      db: '',
    });
  } finally {
    await dropNamespace(client, 'admin', temp.users).catch(() => {});
    await dropNamespace(client, 'admin', temp.roles).catch(() => {});
  }
}
