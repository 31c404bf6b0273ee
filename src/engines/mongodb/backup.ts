import { EJSON } from 'bson';
import type { Document, MongoClient } from 'mongodb';
import { StowageError, UsageError } from '../../errors.js';
import type { ProgressListener } from '../../progress.js';
import { runSchedule } from '../../scheduler/scheduler.js';
import type { EngineBackupRequest, EngineBackupResult, StreamWriterSet } from '../engine.js';
import { countUnits } from '../nouns.js';
import { dumpCollection, writeHeldDocuments } from './collection-dump.js';
import { connect, type ServerInfo } from './connect.js';
import { planIdRanges } from './id-ranges.js';
import {
  AUTH_COLLECTIONS,
  type CatalogCollection,
  confirmDatabasesExist,
  readCatalog,
  resolveDatabases,
} from './introspect.js';
import { isNamespaceGone, toStowageError } from './mongo-errors.js';
import { NamespaceFilter, NamespacePattern } from './namespace-filter.js';
import { captureOplog, hasOplog, oplogStart as readOplogStart } from './oplog.js';
import type { MongoBackupOptions } from './options.js';
import { CollectionPresence } from './presence-check.js';
import type { MongoCollectionSchema, MongoDatabaseSchema, MongoSchema } from './schema.js';
import { endStream, throwIfAborted } from './stream-io.js';
import { OPLOG_STREAM, StreamNamer } from './stream-names.js';

/**
 * Backup: catalog first (collections, options, indexes, views), then every
 * collection's documents as raw BSON, several collections (or slices of a big
 * one) at a time, biggest first so the longest job starts earliest; then, on a
 * replica set, the oplog written meanwhile.
 */

/** Aim for batches of about this many bytes, so memory stays flat whatever the document size. */
const TARGET_BATCH_BYTES = 2 * 1024 * 1024;
const DEFAULT_SPLIT_MIN_BYTES = 64 * 1024 * 1024;
/**
 * Collections in one FerretDB database up to which the catalog asks collStats
 * for sizes (~40 ms a call at 200 collections); beyond, a count per collection
 * (cheap for the small collections such databases are mostly made of).
 */
const FERRETDB_STATS_LIMIT = 200;
/**
 * On FerretDB a collection under this many documents is sized by a count that
 * stops there (see CatalogReadOptions.exactBelow): its exact count is all the
 * plan needs, and it costs far less than collStats.
 */
const FERRETDB_SMALL_COLLECTION = 1000;
/**
 * On FerretDB the catalog reads a collection of fewer than
 * FERRETDB_SMALL_COLLECTION documents whole (CatalogReadOptions.wholeBelow),
 * in a first batch of this many documents and, for a bigger one whose rest
 * should fit in TARGET_BATCH_BYTES, one more batch, while what is held stays
 * under FERRETDB_CATALOG_HELD_BYTES. This first batch is what the data phase
 * asks for first when it knows no byte size, and the rest is bounded as its
 * later batches are, so the catalog's reads are no bigger than the data
 * phase's.
 */
const FERRETDB_WHOLE_FIRST_BATCH = 101;
const FERRETDB_CATALOG_HELD_BYTES = 8 * 1024 * 1024;

interface Slice {
  collection: CatalogCollection;
  namespace: string;
  stream: string;
  filter: Document;
  natural: boolean;
  estimatedBytes: number;
}

export async function backupMongo(
  request: EngineBackupRequest<MongoBackupOptions>,
): Promise<EngineBackupResult> {
  const { url, progress, signal } = request;
  const options = request.options ?? {};
  const jobs = Math.max(1, Math.floor(request.jobs || 1));
  const filter = new NamespaceFilter(options.include, options.exclude);
  const queries = parseQueries(options.query);

  progress({ type: 'phase', phase: 'connect' });
  const connection = await connect(url, { poolSize: jobs + 2, signal });
  const { client, server } = connection;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    progress({ type: 'warning', message });
  };

  try {
    const useOplog = decideOplog(options.oplog, server, await hasOplog(client), warn);
    const oplogStart = useOplog ? await readOplogStart(client) : undefined;

    progress({ type: 'phase', phase: 'catalog' });
    const { databases, named } = await resolveDatabases(client, options.databases, connection.urlDatabase);
    const catalog = await readCatalog(client, databases, filter, {
      concurrency: Math.max(2, jobs),
      // FerretDB's collStats grows with the database's collection count, its count with the
      // collection's size: collStats where the database is small enough, and always when
      // splitting is asked (it needs byte sizes).
      ...(server.ferretdb && options.splitCollections !== true
        ? {
            countBeyond: FERRETDB_STATS_LIMIT,
            exactBelow: FERRETDB_SMALL_COLLECTION,
            wholeBelow: {
              documents: FERRETDB_SMALL_COLLECTION,
              firstBatch: FERRETDB_WHOLE_FIRST_BATCH,
              batchBytes: TARGET_BATCH_BYTES,
              bytes: FERRETDB_CATALOG_HELD_BYTES,
              queried: new Set(Object.keys(queries)),
            },
          }
        : {}),
    });
    if (named) await confirmDatabasesExist(client, catalog.unseen);
    if (catalog.collections.length === 0 && catalog.views.length === 0) {
      warn(
        `no collections to back up in ${databases.join(', ')}${filter.includesAll ? '' : ' that match --include'}`,
      );
    }
    for (const ns of Object.keys(queries)) {
      if (!catalog.collections.some((c) => `${c.db}.${c.name}` === ns)) {
        warn(`--query given for ${ns}, which is not among the collections backed up`);
      }
    }

    const namer = new StreamNamer();
    const slices = await planSlices(client, catalog.collections, queries, server, options, jobs, namer);
    progress({
      type: 'plan',
      units: catalog.collections.map((c) => ({
        name: `${c.db}.${c.name}`,
        // Documents, not bytes: collStats' size is not what the archive holds (FerretDB reports some
        // 3.3× the BSON size), so a byte bar would stall at a third and jump to the end.
        ...(c.estimatedDocuments !== undefined ? { estimatedItems: c.estimatedDocuments } : {}),
      })),
      summary: countUnits('mongodb', catalog.collections.length),
    });

    progress({ type: 'phase', phase: 'data' });
    const counts = await dumpSlices(client, url, server, slices, request.streams, jobs, progress, signal);

    const dropped = new Set<string>();
    for (const ns of counts.dropped) {
      dropped.add(ns);
      warn(`collection ${ns} was dropped while the backup ran; it is not in this backup`);
    }

    let auth: MongoSchema['auth'];
    if (options.usersAndRoles) {
      auth = await dumpAuth(client, server, request.streams, namer, signal);
    }

    let oplog: MongoSchema['oplog'];
    if (oplogStart) {
      progress({ type: 'phase', phase: 'oplog' });
      const writer = request.streams.open(OPLOG_STREAM);
      const { entries, end } = await captureOplog(client, oplogStart, databases, writer, signal);
      oplog = {
        stream: OPLOG_STREAM,
        entries,
        start: EJSON.serialize({ ts: oplogStart }, { relaxed: false }),
        end: EJSON.serialize({ ts: end }, { relaxed: false }),
      };
    }

    throwIfAborted(signal, 'backup');
    const schema: MongoSchema = {
      engine: 'mongodb',
      version: 1,
      server: {
        version: server.version,
        topology: server.topology,
        ...(server.ferretdb ? { ferretdb: server.ferretdb } : {}),
      },
      databases: buildDatabaseSchemas(catalog, slices, counts, dropped),
      ...(oplog ? { oplog } : {}),
      ...(auth ? { auth } : {}),
    };
    return {
      serverVersion: server.ferretdb ? `${server.version} (FerretDB ${server.ferretdb})` : server.version,
      database: archivedDatabases(databases, catalog, filter).join(','),
      schema,
      pointInTime: !!oplogStart,
      warnings,
    };
  } catch (error) {
    throw toStowageError(error, { url, during: 'backup' });
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Whether to capture the oplog, with the warning that a backup without it deserves. */
function decideOplog(
  requested: boolean | undefined,
  server: ServerInfo,
  oplogPresent: boolean,
  warn: (m: string) => void,
): boolean {
  // FerretDB keeps an oplog only when started as a replica set and given a
  // capped local.oplog.rs, so ask for the collection rather than trust hello.
  const kind =
    server.topology === 'sharded'
      ? 'a sharded cluster (mongos), which has no single oplog'
      : server.topology !== 'replicaSet'
        ? `${server.ferretdb ? `FerretDB ${server.ferretdb}` : 'a standalone server'}, which has no oplog`
        : `${server.ferretdb ? `FerretDB ${server.ferretdb}` : 'a replica set member'} without a local.oplog.rs collection`;
  if (server.topology === 'replicaSet' && oplogPresent) {
    if (requested === false) {
      warn(
        'backup is not a single point in time: --oplog is off, so writes made while it ran may be partly included',
      );
      return false;
    }
    return true;
  }
  if (requested === true) {
    throw new UsageError(
      `--oplog needs a replica set member with an oplog, but the server is ${kind}`,
      'run without --oplog',
    );
  }
  warn(
    `backup is not a single point in time: the server is ${kind}; writes made while it ran may be partly included`,
  );
  return false;
}

function parseQueries(query: Record<string, string> | undefined): Record<string, Document> {
  const out: Record<string, Document> = {};
  for (const [ns, text] of Object.entries(query ?? {})) {
    new NamespacePattern(ns); // validates the shape
    try {
      const parsed = EJSON.parse(text, { relaxed: true });
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not a document');
      out[ns] = parsed as Document;
    } catch (error) {
      throw new UsageError(
        `--query for ${ns} is not a valid Extended JSON document: ${(error as Error).message}`,
        'write it as JSON, e.g. {"year": 2024} or {"created": {"$gte": {"$date": "2024-01-01T00:00:00Z"}}}',
      );
    }
  }
  return out;
}

/** Cuts the work into slices: one per collection, or several `_id` ranges for big ones. */
async function planSlices(
  client: MongoClient,
  collections: CatalogCollection[],
  queries: Record<string, Document>,
  server: ServerInfo,
  options: MongoBackupOptions,
  jobs: number,
  namer: StreamNamer,
): Promise<Slice[]> {
  const split = options.splitCollections ?? !server.ferretdb;
  const minBytes = options.splitMinBytes ?? DEFAULT_SPLIT_MIN_BYTES;
  const totalBytes = collections.reduce((n, c) => n + (c.estimatedBytes ?? 0), 0);
  const slices: Slice[] = [];
  for (const collection of collections) {
    const namespace = `${collection.db}.${collection.name}`;
    const query = queries[namespace];
    const bytes = collection.estimatedBytes ?? 0;
    // A collection is worth splitting when it alone would keep one worker busy
    // much longer than the others: more than its fair share of the total.
    let parts = 1;
    if (
      split &&
      jobs > 1 &&
      bytes >= minBytes &&
      collection.source === 'documents' &&
      collection.options.capped === undefined
    ) {
      parts = Math.min(jobs, Math.max(1, Math.floor(bytes / Math.max(minBytes, totalBytes / (jobs * 2)))));
    }
    const ranges =
      parts > 1
        ? await planIdRanges(
            client,
            collection.db,
            collection.readFrom,
            parts,
            collection.estimatedDocuments ?? 0,
          )
        : [{}];
    ranges.forEach((range, i) => {
      const filter = query && Object.keys(range).length ? { $and: [query, range] } : (query ?? range);
      slices.push({
        collection,
        namespace,
        stream: namer.next(namespace, i),
        filter,
        natural: ranges.length === 1 && !query && !server.ferretdb,
        estimatedBytes: bytes / ranges.length,
      });
    });
  }
  return slices;
}

/** The documents the catalog read for `slice`, when they are all it holds (no query, no range). */
function catalogDocuments(slice: Slice): { documents: Buffer; count: number } | undefined {
  const { documents, estimatedDocuments } = slice.collection;
  if (!documents || estimatedDocuments === undefined || Object.keys(slice.filter).length > 0)
    return undefined;
  return { documents, count: estimatedDocuments };
}

/**
 * The first batch's size. Without the collection's byte size (FerretDB is read
 * with counts only, see introspect.ts) the first batch is a small probe, and the
 * reader sizes the rest from the documents it saw.
 */
function batchSizeFor(collection: CatalogCollection): number {
  if (!(collection.estimatedDocuments && collection.estimatedBytes)) return 101;
  const avg = collection.estimatedBytes / collection.estimatedDocuments;
  return Math.max(16, Math.min(100_000, Math.floor(TARGET_BATCH_BYTES / Math.max(avg, 16))));
}

/** Runs the slices with `jobs` workers; returns documents and bytes per namespace. */
async function dumpSlices(
  client: MongoClient,
  url: string,
  server: ServerInfo,
  slices: Slice[],
  streams: StreamWriterSet,
  jobs: number,
  progress: ProgressListener,
  signal: AbortSignal | undefined,
): Promise<Map<string, { documents: number; bytes: number }> & { dropped: Set<string> }> {
  const counts = Object.assign(new Map<string, { documents: number; bytes: number }>(), {
    dropped: new Set<string>(),
  });
  const remaining = new Map<string, number>();
  for (const s of slices) remaining.set(s.namespace, (remaining.get(s.namespace) ?? 0) + 1);
  // Per namespace, its slices' counts so far: a collection's total adds up its own slices only,
  // so a progress event costs the same whatever the number of collections.
  const sliceCounts = new Map<string, { documents: number; bytes: number }[]>();
  const total = (ns: string) => {
    let documents = 0;
    let bytes = 0;
    for (const c of sliceCounts.get(ns) ?? []) {
      documents += c.documents;
      bytes += c.bytes;
    }
    return { documents, bytes };
  };

  const started = new Set<string>();
  /** `signal`: the caller's, or the schedule's once another slice failed. */
  const dumpSlice = async (slice: Slice, signal: AbortSignal) => {
    throwIfAborted(signal, 'backup');
    const { collection, namespace } = slice;
    if (!started.has(namespace)) {
      started.add(namespace);
      progress({ type: 'unit-start', name: namespace });
    }
    // Opened only when its turn comes, so the archive holds buffers for `jobs` streams at most.
    const writer = streams.open(slice.stream);
    const mine = { documents: 0, bytes: 0, started: false };
    const siblings = sliceCounts.get(namespace);
    if (siblings) siblings.push(mine);
    else sliceCounts.set(namespace, [mine]);
    const onBatch = (documents: number, bytes: number) => {
      mine.started = true;
      mine.documents = documents;
      mine.bytes = bytes;
      const t = total(namespace);
      progress({ type: 'unit-progress', name: namespace, items: t.documents, bytes: t.bytes });
    };
    const held = catalogDocuments(slice);
    // Held no longer than it takes to write it.
    slice.collection.documents = undefined;
    try {
      if (held) await writeHeldDocuments(writer, held, { onBatch, ...(signal ? { signal } : {}) });
      else
        await dumpCollection(
          client,
          {
            db: collection.db,
            collection: collection.readFrom,
            stream: slice.stream,
            filter: slice.filter,
            natural: slice.natural,
            batchSize: batchSizeFor(collection),
            targetBytes: TARGET_BATCH_BYTES,
          },
          writer,
          { onBatch, topology: server.topology, ...(signal ? { signal } : {}) },
        );
    } catch (error) {
      if (!isNamespaceGone(error)) throw toStowageError(error, { url, during: `backup of ${namespace}` });
      const state = await presence.state(collection, { now: true });
      if (state === 'same') throw toStowageError(error, { url, during: `backup of ${namespace}` });
      if (state === 'replaced') throw droppedError(namespace, error);
      // Gone: left out below; its stream is closed so the archive can be finished (nothing refers to it).
      await endStream(writer);
    }
    // The worker goes on to the next slice while this one's check waits for a query shared with others.
    const settled = presence.state(collection).then((state) => {
      // Gone by its check, whether before, during or just after its read: left out with a warning,
      // so the backup reflects a moment after the drop. What was read of it cannot be kept: a
      // server may end the cursor of a dropped collection as if its data had run out (FerretDB).
      if (state === 'gone') counts.dropped.add(namespace);
      // Created again under the same name: only an empty read was of nothing in particular.
      else if (state === 'replaced' && (mine.documents > 0 || mine.started)) throw droppedError(namespace);
      else if (state === 'replaced') counts.dropped.add(namespace);
      const left = remaining.get(namespace)! - 1;
      remaining.set(namespace, left);
      if (left === 0) {
        const t = total(namespace);
        counts.set(namespace, t);
        progress({ type: 'unit-done', name: namespace, items: t.documents, bytes: t.bytes });
      }
    });
    // Awaited below; this stops Node flagging a rejection that lands while the schedule still runs.
    settled.catch(() => {});
    checks.push(settled);
  };
  // Whether each collection was still there once read, asked for many collections at once.
  const presence = new CollectionPresence(client);
  const checks: Promise<void>[] = [];
  // Biggest collection first, its slices together (sized by their collection): the longest read
  // starts at once and the small ones fill in around it.
  await runSchedule(
    slices.map((slice) => ({
      id: slice.stream,
      // Without a byte estimate (FerretDB: counts only), documents still put the biggest first.
      size: slice.collection.estimatedBytes ?? slice.collection.estimatedDocuments ?? 0,
      run: (_slot: number, stop: AbortSignal) =>
        dumpSlice(slice, signal ? AbortSignal.any([signal, stop]) : stop),
    })),
    Array.from({ length: jobs }, (_, slot) => slot),
  );
  presence.flush();
  await Promise.all(checks);
  return counts;
}

function droppedError(namespace: string, cause?: unknown): StowageError {
  return new StowageError(
    'mongo-collection-dropped',
    `collection ${namespace} was dropped and created again while it was being backed up`,
    `run the backup again, or leave the collection out with --exclude ${namespace}`,
    cause ? { cause } : undefined,
  );
}

/** Users and roles, read from `admin` (password hashes included, so only when asked). */
async function dumpAuth(
  client: MongoClient,
  server: ServerInfo,
  streams: StreamWriterSet,
  namer: StreamNamer,
  signal: AbortSignal | undefined,
): Promise<NonNullable<MongoSchema['auth']>> {
  const out: NonNullable<MongoSchema['auth']> = {};
  for (const [key, collection] of Object.entries(AUTH_COLLECTIONS) as [
    keyof typeof AUTH_COLLECTIONS,
    string,
  ][]) {
    const stream = namer.next(`admin.${collection}`);
    await dumpCollection(
      client,
      { db: 'admin', collection, stream, filter: {}, natural: false, batchSize: 1000 },
      streams.open(stream),
      { topology: server.topology, ...(signal ? { signal } : {}) },
    );
    out[key] = stream;
  }
  return out;
}

/**
 * The databases a backup names: those it was asked for, or, when a namespace
 * filter narrowed a server-level backup, only those it holds anything of.
 */
function archivedDatabases(
  databases: string[],
  catalog: Awaited<ReturnType<typeof readCatalog>>,
  filter: NamespaceFilter,
): string[] {
  if (filter.includesAll) return databases;
  const held = databases.filter(
    (db) => catalog.collections.some((c) => c.db === db) || catalog.views.some((v) => v.db === db),
  );
  return held.length ? held : databases;
}

function buildDatabaseSchemas(
  catalog: Awaited<ReturnType<typeof readCatalog>>,
  slices: Slice[],
  counts: Map<string, { documents: number; bytes: number }>,
  dropped: Set<string>,
): MongoDatabaseSchema[] {
  // Grouped once, so the schema costs the same per collection however many there are.
  const streams = new Map<CatalogCollection, string[]>();
  for (const slice of slices) {
    const list = streams.get(slice.collection);
    if (list) list.push(slice.stream);
    else streams.set(slice.collection, [slice.stream]);
  }
  const collectionsOf = new Map<string, CatalogCollection[]>();
  for (const c of catalog.collections) {
    if (dropped.has(`${c.db}.${c.name}`)) continue;
    const list = collectionsOf.get(c.db);
    if (list) list.push(c);
    else collectionsOf.set(c.db, [c]);
  }
  return catalog.databases.map((db) => ({
    name: db,
    collections: (collectionsOf.get(db) ?? []).map(
      (c): MongoCollectionSchema => ({
        name: c.name,
        type: c.type,
        options: c.options,
        indexes: c.indexes,
        streams: streams.get(c) ?? [],
        documents: counts.get(`${c.db}.${c.name}`)?.documents ?? 0,
        source: c.source,
      }),
    ),
    views: catalog.views.filter((v) => v.db === db).map((v) => ({ name: v.name, options: v.options })),
  }));
}
