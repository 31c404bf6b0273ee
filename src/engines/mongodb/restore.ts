import type { MongoClient } from 'mongodb';
import { StowageError, UsageError } from '../../errors.js';
import { mapLimited, runSchedule } from '../../scheduler/scheduler.js';
import type { EngineRestoreRequest, EngineRestoreResult, StreamReaderSet, StreamSummary } from '../engine.js';
import { Semaphore } from '../kit/semaphore.js';
import { countUnits } from '../nouns.js';
import { BatchPool } from './batch-pool.js';
import { type LoadReport, loadStream } from './collection-load.js';
import { connect, type ServerInfo } from './connect.js';
import { createCollection, createIndexes, createView, dropNamespace, indexesToBuild } from './ddl.js';
import { toStowageError } from './mongo-errors.js';
import { splitNamespace } from './namespace-filter.js';
import { replayOplog } from './oplog.js';
import type { MongoRestoreOptions } from './options.js';
import { RawInserter } from './raw-insert.js';
import {
  type CollectionPlan,
  isSmallCollection,
  listNames,
  planLoad,
  planMongoRestore,
  type Target,
  type ViewPlan,
} from './restore-plan.js';
import { type MongoSchema, parseMongoSchema } from './schema.js';
import { throwIfAborted } from './stream-io.js';

/**
 * Restore: check everything that can be checked before writing anything
 * (schema, streams, names, existing data), then create collections with their
 * options, load documents in parallel, build each collection's indexes as soon
 * as its data is in, create views once their sources exist, and finally replay
 * the oplog. A failure names the collections that are complete. What to do is
 * planned from the archive alone (restore-plan.ts); this runs the plan against
 * the target.
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
 * The client cannot tell that backend from FerretDB's PostgreSQL one, which
 * takes parallel writes; there, 4 in flight cost the server as much CPU per
 * document or more, with no steady gain in wall time (300,000 documents,
 * docs/BENCHMARKS.md), so one limit serves both.
 */
const FERRETDB_INSERTS_PER_DATABASE = 2;
/**
 * Streams of one database loading at once on FerretDB: no more than can
 * insert. A further stream would only wait, holding its archive read-ahead and
 * a batch (measured on 200,000 documents with 4 jobs: the same speed as 4
 * streams at once, and a peak RSS of ~150 MiB instead of ~195 MiB).
 */
const FERRETDB_STREAMS_PER_DATABASE = FERRETDB_INSERTS_PER_DATABASE;
/**
 * FerretDB: creates, index builds and small collections' inserts into one
 * database, one at a time. Each is a short write that takes the SQLite lock;
 * more at once only wait on it, in SQLite's sleeping busy handler (measured
 * with 200 collections of 20 documents, create + createIndexes + insert each:
 * 7.7–9.4 ms of server CPU per collection one at a time, 11–13 ms with 2 and
 * 13–15 ms with 4 at once, and the most wall time with 4; mongorestore, which
 * sends them one after another, waited ~10 ms per command where 4 at once
 * waited 70–100 ms).
 */
const FERRETDB_SHORT_WRITES_PER_DATABASE = 1;

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

  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    progress({ type: 'warning', message });
  };

  progress({ type: 'phase', phase: 'connect' });
  const connection = await connect(url, { poolSize: jobs * workers + 2, signal });
  const { client, server } = connection;

  const complete: string[] = [];
  let collections: CollectionPlan[] = [];
  let stoppedBeforeWrite: unknown;
  let inserted = 0;
  try {
    progress({ type: 'phase', phase: 'prepare' });
    const plan = planMongoRestore(schema, options, request.streams.list(), connection.urlDatabase, warn);
    const { views } = plan;
    collections = plan.collections;
    if (!serverSupportsBuckets(server) && collections.some((c) => c.schema.source === 'buckets')) {
      throw new StowageError(
        'mongo-unsupported',
        'the archive holds time series collections, which this server cannot store',
        'restore into MongoDB 5.0 or newer, or exclude them with --exclude',
      );
    }

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
    request.onWriteBegun?.({
      database: [...new Set(collections.map((c) => c.target.db))].join(','),
      created: false,
      startOver: 'pass --drop --yes to replace the collections written',
    });
    if (options.drop)
      for (const [ns, db] of existing) await dropNamespace(client, db, ns.slice(db.length + 1));

    /** FerretDB only: a semaphore of `permits` per database, shared by whatever writes into it. */
    const perDatabase = (permits: number) => {
      const byDatabase = new Map<string, Semaphore>();
      return (db: string): Semaphore | undefined => {
        if (!server.ferretdb) return undefined;
        let slots = byDatabase.get(db);
        if (!slots) {
          slots = new Semaphore(permits);
          byDatabase.set(db, slots);
        }
        return slots;
      };
    };
    // Short writes into a database one at a time (see FERRETDB_SHORT_WRITES_PER_DATABASE).
    const shortWritesOf = perDatabase(FERRETDB_SHORT_WRITES_PER_DATABASE);
    const shortWrite = async <T>(db: string, write: () => Promise<T>): Promise<T> => {
      const slots = shortWritesOf(db);
      await slots?.acquire();
      try {
        return await write();
      } finally {
        slots?.release();
      }
    };
    const create = (c: CollectionPlan) =>
      shortWrite(c.target.db, () => createCollection(client, c.target.db, c.target.name, c.schema.options));

    progress({
      type: 'plan',
      units: collections.map((c) => ({
        name: c.target.ns,
        estimatedItems: c.schema.documents,
        estimatedBytes: c.streams.reduce((n, s) => n + s.rawBytes, 0),
      })),
      summary: countUnits('mongodb', collections.length),
    });

    // Small collections are created by their own task, just before their indexes and data
    // (restore-plan.ts). The others several at once: with thousands of collections, one create
    // after another was a round trip each (on FerretDB ~100 ms of waiting per collection).
    const smallBytes = batchBytes;
    await mapLimited(
      collections.filter((c) => !c.keepExisting && !isSmallCollection(c, smallBytes)),
      jobs,
      (c) => create(c),
    );

    progress({ type: 'phase', phase: 'data' });
    // One pool for every stream: the budget bounds the whole restore, not each collection.
    const batches = new BatchPool(
      Math.min(batchBytes, server.maxMessageSizeBytes - 1024 * 1024),
      budgetBytes,
    );
    const reports = new Map<string, LoadReport>();
    const perCollection = new Map<CollectionPlan, { documents: number; bytes: number }>();
    const started = new Set<CollectionPlan>();
    const announce = (plan: CollectionPlan) => {
      if (started.has(plan)) return;
      started.add(plan);
      progress({ type: 'unit-start', name: plan.target.ns });
    };
    // A limit on inserts in flight, shared by the streams of a database.
    const insertSlotsOf = perDatabase(FERRETDB_INSERTS_PER_DATABASE);

    const buildIndexes = async (plan: CollectionPlan) => {
      if (options.noIndexes) return;
      await shortWrite(plan.target.db, () =>
        createIndexes(client, plan.target.db, plan.target.name, indexesToBuild(plan.schema.indexes)),
      ).catch((error: unknown) => {
        throw toStowageError(error, { url, during: `index builds of ${plan.target.ns}` });
      });
    };

    /** Builds a collection's indexes once its documents are in (collections without documents still need them). */
    const finishCollection = async (plan: CollectionPlan) => {
      announce(plan);
      await buildIndexes(plan);
      markComplete(plan);
    };

    /** A small collection in one task: created, indexed while empty, then loaded (see restore-plan.ts). */
    const restoreWhole = async (
      plan: CollectionPlan,
      stream: StreamSummary | undefined,
      stop: AbortSignal,
    ) => {
      throwIfAborted(signal, 'restore');
      announce(plan);
      // Without options, the index build creates the collection as `create` would (every server
      // creates a missing collection for createIndexes): one short write fewer per collection,
      // on FerretDB ~7 ms of its one-at-a-time ~18 ms (200 collections with two indexes each).
      const createdByIndexes =
        !options.noIndexes &&
        Object.keys(plan.schema.options).length === 0 &&
        indexesToBuild(plan.schema.indexes).length > 0;
      if (!plan.keepExisting && !createdByIndexes) await create(plan);
      await buildIndexes(plan);
      // Its one insert batch is a short write too.
      if (stream) await loadCollectionStream(plan, stream, stop, shortWritesOf(plan.target.db));
      markComplete(plan);
    };

    const markComplete = (plan: CollectionPlan) => {
      complete.push(plan.target.ns);
      const t = perCollection.get(plan) ?? { documents: 0, bytes: 0 };
      progress({ type: 'unit-done', name: plan.target.ns, items: t.documents, bytes: t.bytes });
    };

    /** Loads one archive stream into its collection; `stop` aborts when another task failed. */
    const loadCollectionStream = async (
      plan: CollectionPlan,
      stream: StreamSummary,
      stop: AbortSignal,
      shared = insertSlotsOf(plan.target.db),
    ) => {
      throwIfAborted(signal, 'restore');
      announce(plan);
      const inserter = new RawInserter(client, plan.target.db, plan.insertInto, {
        ordered: !!options.stopOnError,
        ...(options.bypassDocumentValidation ? { bypassDocumentValidation: true } : {}),
      });
      const before = { documents: 0, bytes: 0 };
      const report = await loadStream(inserter, request.streams.open(stream.name), {
        streamName: stream.name,
        namespace: plan.target.ns,
        batches,
        batchDocuments: server.maxWriteBatchSize,
        maxDocumentBytes: server.maxBsonObjectSize,
        workers,
        ...(shared ? { shared } : {}),
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
        signal: signal ? AbortSignal.any([signal, stop]) : stop,
      }).catch((error: unknown) => {
        throw toStowageError(error, { url, during: `restore of ${plan.target.ns}` });
      });
      reports.set(stream.name, report);
    };

    await runSchedule(
      planLoad(collections, { smallBytes }).map((task) => ({
        ...task,
        run: (_slot: number, stop: AbortSignal) => {
          const work = task.work;
          if (work.kind === 'load') return loadCollectionStream(work.collection, work.stream, stop);
          if (work.kind === 'whole') return restoreWhole(work.collection, work.stream, stop);
          return finishCollection(work.collection);
        },
      })),
      Array.from({ length: jobs }, (_, slot) => slot),
      // FerretDB: streams of one database loading at once (see FERRETDB_STREAMS_PER_DATABASE).
      {
        limitOf: (key) =>
          server.ferretdb && key.startsWith('database:') ? FERRETDB_STREAMS_PER_DATABASE : undefined,
      },
    );

    if (views.length) {
      progress({ type: 'phase', phase: 'views' });
      for (const view of views) {
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
        return plan.filter.accepts(ns) ? plan.map(ns).ns : null;
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
