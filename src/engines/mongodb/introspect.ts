import { type Db, type Document, Long, type MongoClient, ReadPreference } from 'mongodb';
import { StowageError } from '../../errors.js';
import { mapLimited } from '../../scheduler/scheduler.js';
import type { NamespaceFilter } from './namespace-filter.js';
import { RAW_BATCHES } from './raw-batches.js';
import { type EjsonDocument, EXACT_BSON_OPTIONS, toEjson } from './schema.js';

/**
 * Reading what a backup has to capture: databases, collections with their
 * options, views and indexes. Values are read with exact BSON types and turned
 * into canonical Extended JSON for the manifest.
 */

/** Databases never backed up by default: server-internal state. */
export const INTERNAL_DATABASES = new Set(['admin', 'local', 'config']);

/** One collection found on the server, before any data is read. */
export interface CatalogCollection {
  db: string;
  name: string;
  type: 'collection' | 'timeseries';
  options: EjsonDocument;
  indexes: EjsonDocument[];
  /** The collection documents are read from: itself, or `system.buckets.<name>` for time series. */
  readFrom: string;
  source: 'documents' | 'buckets';
  /** The collection's UUID (hex) when the server reports one: tells a dropped-and-recreated collection apart. */
  uuid?: string;
  /** From collStats when available: estimated documents and data bytes, for planning and ETA. */
  estimatedDocuments?: number;
  estimatedBytes?: number;
  /**
   * Every document of the collection as raw BSON, one after another, when the
   * catalog read it whole (see {@link CatalogReadOptions.wholeBelow}): the
   * data phase writes these instead of reading the collection again.
   */
  documents?: Buffer;
}

export interface CatalogView {
  db: string;
  name: string;
  options: EjsonDocument;
}

export interface Catalog {
  databases: string[];
  /** Databases in which listCollections showed nothing at all (missing, empty or not readable). */
  unseen: string[];
  collections: CatalogCollection[];
  views: CatalogView[];
}

/**
 * System collections a dump skips, as mongodump does: they are rebuilt by the
 * server (`system.indexes`, `system.namespaces`), described elsewhere
 * (`system.views` through the views themselves, `system.buckets.*` through their
 * time series collection), or are not data (`system.profile`). `system.js`
 * (stored functions) is user data and is kept.
 */
function isSkippedSystemCollection(name: string): boolean {
  return name.startsWith('system.') && name !== 'system.js';
}

/**
 * Which databases to back up: given names, the URL's, or every non-internal
 * one. Named databases are not looked up here: the catalog lists each one's
 * collections anyway, and a database that shows a collection or view exists.
 * Only those that show nothing go through {@link confirmDatabasesExist}, because
 * listDatabases may cost far more than the whole catalog (FerretDB ignores
 * `nameOnly` and measures every database on the server: 1–80 s on a server
 * holding a few thousand collections).
 */
export async function resolveDatabases(
  client: MongoClient,
  requested: string[] | undefined,
  urlDatabase: string | undefined,
): Promise<{ databases: string[]; named: boolean }> {
  const wanted = requested?.length ? requested : urlDatabase ? [urlDatabase] : undefined;
  if (wanted) return { databases: wanted, named: true };
  const all = (await listDatabaseNames(client)).filter((name) => !INTERNAL_DATABASES.has(name));
  if (all.length === 0) {
    throw new StowageError(
      'mongo-empty-server',
      'the MongoDB server has no databases to back up',
      'name a database in the URL (mongodb://host/db) or check that you are pointing at the right server',
    );
  }
  return { databases: all, named: false };
}

/** Fails with a one-line error naming the databases of `names` the server does not have. */
export async function confirmDatabasesExist(client: MongoClient, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const existing = await listDatabaseNames(client);
  const missing = names.filter((name) => !existing.includes(name));
  if (missing.length > 0) {
    const available = existing.filter((n) => !INTERNAL_DATABASES.has(n));
    throw new StowageError(
      'mongo-missing-database',
      `database ${missing.map((n) => `"${n}"`).join(', ')} not found on the MongoDB server`,
      available.length
        ? `databases there: ${available.slice(0, 10).join(', ')}${available.length > 10 ? ', …' : ''}`
        : 'the server has no user databases',
    );
  }
}

async function listDatabaseNames(client: MongoClient): Promise<string[]> {
  const result = await client
    .db('admin')
    .command({ listDatabases: 1, nameOnly: true, authorizedDatabases: true });
  return (result.databases as { name: string }[]).map((d) => d.name);
}

/**
 * Collections whose indexes and size estimates are read at once: each is a
 * round trip of its own (the protocol has no multi-collection form), so with
 * thousands of small collections the catalog is mostly waiting on the server.
 */
const DEFAULT_CATALOG_CONCURRENCY = 4;

/** How {@link readCatalog} reads what it cannot get from `listCollections`. */
export interface CatalogReadOptions {
  /** Collections read at once. */
  concurrency?: number;
  /**
   * In a database listing more collections than this, size estimates come
   * from `count` (documents only) instead of `collStats`. For FerretDB, whose
   * collStats measures the whole SQLite database each time (0.5–2.3 s per call
   * with 2,000 collections, ~40 ms with 200) while its count reads every
   * document (2.2 s for 50,000 small ones on a quiet machine, half of what
   * reading them for the backup costs). Default: never (collStats everywhere).
   */
  countBeyond?: number;
  /**
   * Ask each collection first for a count stopped at this many documents;
   * one holding fewer gets that exact count as its estimate (no byte size) and
   * nothing else. For FerretDB, where such a count reads at most this many
   * documents (~2 ms for a small collection, ~30 ms at 1,000) while collStats
   * measures the whole SQLite file on each call and the server answers those
   * one at a time (~31 ms each at 200 collections of 20 documents, so 6 s of
   * the backup's 7 s there): collStats, or the full count, is left for the
   * few collections big enough for their order and batch sizes to matter.
   * Default: none (collStats or count for every collection).
   */
  exactBelow?: number;
  /**
   * Read a collection of fewer than `documents` documents whole, in place of
   * the count that {@link exactBelow} would send: what is read is its exact
   * count too, and the data phase then has nothing to ask the server for it.
   * For FerretDB, where every command into a database of thousands of
   * collections costs the server milliseconds whatever its size (at 2,000
   * collections a `find` of 20 documents ~8 ms, the limited count ~2.4 ms),
   * so two commands per small collection become one, and a collection of a
   * few hundred documents costs a `find` and a `getMore` instead of a count
   * plus its own `find` and `getMore` later. See {@link WholeRead} for the
   * bounds. Default: none.
   */
  wholeBelow?: WholeRead;
}

/** How {@link CatalogReadOptions.wholeBelow} reads small collections whole. */
export interface WholeRead {
  /** Collections of fewer documents than this are read whole. */
  documents: number;
  /**
   * The first `find` batch: a collection holding fewer is read in that one
   * command. Past it, the rest is asked for (one `getMore` of up to
   * `documents`) only when the first batch's average document says it fits in
   * `batchBytes`, so one read brings in no more than a data-phase batch would.
   */
  firstBatch: number;
  batchBytes: number;
  /**
   * What is read is held until the data phase: once all of it together passes
   * this, the other collections are sized by the count again (a collection
   * read past the bound keeps its exact count, not its documents).
   */
  bytes: number;
  /**
   * Namespaces (`db.collection`) the backup reads with a `--query` filter:
   * their whole contents are not what the data phase writes, so they are
   * counted instead of read.
   */
  queried?: ReadonlySet<string>;
}

/** A collection as listCollections shows it, before its indexes and size are read. */
type CatalogFound = Omit<CatalogCollection, 'indexes'>;

/** Everything to back up in the given databases, filtered by namespace patterns. */
export async function readCatalog(
  client: MongoClient,
  databases: string[],
  filter: NamespaceFilter,
  {
    concurrency = DEFAULT_CATALOG_CONCURRENCY,
    countBeyond = Number.POSITIVE_INFINITY,
    exactBelow,
    wholeBelow,
  }: CatalogReadOptions = {},
): Promise<Catalog> {
  const found: CatalogFound[] = [];
  const views: CatalogView[] = [];
  const unseen: string[] = [];
  const countOnly = new Set<string>();
  for (const dbName of databases) {
    const db = client.db(dbName);
    const infos = await db
      .listCollections({}, { ...EXACT_BSON_OPTIONS, authorizedCollections: true })
      .toArray();
    if (infos.length === 0) unseen.push(dbName);
    if (infos.length > countBeyond) countOnly.add(dbName);
    const byName = new Map(infos.map((i) => [String(i.name), i]));
    for (const info of infos) {
      const name = String(info.name);
      const type = String(info.type ?? 'collection');
      if (isSkippedSystemCollection(name)) continue;
      if (!filter.accepts(`${dbName}.${name}`)) continue;
      const options = toEjson(((info as Document).options ?? {}) as Document);
      if (type === 'view') {
        views.push({ db: dbName, name, options });
        continue;
      }
      if (type !== 'collection' && type !== 'timeseries') continue;
      const buckets = `system.buckets.${name}`;
      const useBuckets = type === 'timeseries' && byName.has(buckets);
      const readFrom = useBuckets ? buckets : name;
      const uuid = uuidOf(useBuckets ? byName.get(buckets) : info);
      found.push({
        db: dbName,
        name,
        type,
        options,
        readFrom,
        source: useBuckets ? 'buckets' : 'documents',
        ...(uuid ? { uuid } : {}),
      });
    }
  }
  let heldBytes = 0;
  // The whole read goes to the primary (as the data phase's command path does); a client asking
  // for another read preference is read by the data phase where it asks, so nothing is read here.
  const wholeRead = client.readPreference.mode === ReadPreference.PRIMARY ? wholeBelow : undefined;
  const readWhole = async (db: Db, collection: CatalogFound): Promise<WholeResult | undefined> => {
    if (!wholeRead || heldBytes >= wholeRead.bytes) return undefined;
    if (wholeRead.queried?.has(`${collection.db}.${collection.name}`)) return undefined;
    const whole = await readWholeCollection(db, collection.readFrom, wholeRead, wholeRead.bytes - heldBytes);
    if (!whole?.documents) return whole;
    if (heldBytes + whole.documents.byteLength > wholeRead.bytes) {
      // The bound is reached: this count is exact all the same (its documents are read again in
      // the data phase), and the collections after it are counted instead.
      heldBytes = wholeRead.bytes;
      return { estimatedDocuments: whole.estimatedDocuments };
    }
    heldBytes += whole.documents.byteLength;
    return whole;
  };
  const collections = await mapLimited(found, concurrency, async (collection) => {
    const db = client.db(collection.db);
    const estimate = async () => {
      const whole = await readWhole(db, collection);
      if (whole?.estimatedDocuments !== undefined) return whole;
      // A whole read that stopped at its bound already says the limited count would not be exact.
      const small =
        exactBelow !== undefined && (whole?.atLeast ?? 0) < exactBelow
          ? await readSmallCount(db, collection.readFrom, exactBelow)
          : undefined;
      return (
        small ??
        (countOnly.has(collection.db)
          ? readCount(db, collection.readFrom)
          : readStats(db, collection.readFrom))
      );
    };
    const [indexes, stats] = await Promise.all([readIndexes(db, collection.name), estimate()]);
    return { ...collection, indexes, ...stats };
  });
  return { databases, unseen, collections, views };
}

/** The UUID (hex) in a `listCollections` entry, when the server reports one. */
export function uuidOf(info: Document | undefined): string | undefined {
  const uuid = info?.info?.uuid as { toString(encoding: 'hex'): string } | undefined;
  return uuid ? uuid.toString('hex') : undefined;
}

async function readIndexes(db: Db, collection: string): Promise<EjsonDocument[]> {
  const specs = await db
    .collection(collection)
    .listIndexes({ ...EXACT_BSON_OPTIONS } as Document)
    .toArray();
  return specs.map((spec) => toEjson(spec));
}

/** Size estimates from collStats; servers or users that refuse it just get no estimate. */
async function readStats(
  db: Db,
  collection: string,
): Promise<{ estimatedDocuments?: number; estimatedBytes?: number }> {
  try {
    const stats = await db.command({ collStats: collection });
    return { estimatedDocuments: Number(stats.count ?? 0), estimatedBytes: Number(stats.size ?? 0) };
  } catch {
    return readCount(db, collection);
  }
}

/** The document count alone, from metadata where the server keeps it. */
async function readCount(db: Db, collection: string): Promise<{ estimatedDocuments?: number }> {
  try {
    return { estimatedDocuments: await db.collection(collection).estimatedDocumentCount() };
  } catch {
    return {};
  }
}

/**
 * The exact document count when the collection holds fewer than `limit`
 * documents; undefined when it holds more (or the server refuses the count).
 */
async function readSmallCount(
  db: Db,
  collection: string,
  limit: number,
): Promise<{ estimatedDocuments: number } | undefined> {
  try {
    const reply = await db.command({ count: collection, limit });
    const n = Number(reply.n ?? Number.NaN);
    return Number.isFinite(n) && n < limit ? { estimatedDocuments: n } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a whole read found: the documents with their exact count; the exact
 * count alone (read past the held bound); or, the collection holding at
 * least `atLeast` documents, nothing to hold.
 */
interface WholeResult {
  estimatedDocuments?: number;
  documents?: Buffer;
  atLeast?: number;
}

/**
 * The whole collection when it holds fewer than `bounds.documents` documents:
 * a first batch, and when the collection holds more and the rest should fit
 * in `bounds.batchBytes` and `room`, one `getMore` for the rest. Undefined
 * when it is not read whole for another reason (documents too big for the
 * bound, the server refuses the read), so the caller counts it.
 */
async function readWholeCollection(
  db: Db,
  collection: string,
  bounds: WholeRead,
  room: number,
): Promise<WholeResult | undefined> {
  // One explicit session: a getMore must come from the session that opened the cursor.
  const session = db.client.startSession({ causalConsistency: false });
  const options = { ...RAW_BATCHES, readPreference: ReadPreference.primary, session };
  let cursor: Long | undefined;
  try {
    const first = await db.command(
      { find: collection, filter: {}, batchSize: bounds.firstBatch, limit: bounds.documents },
      options,
    );
    const batch = first.cursor?.firstBatch as Uint8Array[] | undefined;
    if (!Array.isArray(batch)) return undefined;
    cursor = liveCursor(first.cursor?.id);
    if (batch.length >= bounds.documents) return { atLeast: batch.length };
    if (!cursor) return held(batch);
    const bytes = batch.reduce((n, d) => n + d.byteLength, 0);
    const rest = bounds.documents - batch.length;
    if (batch.length === 0 || (bytes / batch.length) * rest > Math.min(bounds.batchBytes, room))
      return undefined;
    const more = await db.command({ getMore: cursor, collection, batchSize: rest }, options);
    const next = more.cursor?.nextBatch as Uint8Array[] | undefined;
    if (!Array.isArray(next)) return undefined;
    cursor = liveCursor(more.cursor?.id);
    const all = batch.concat(next);
    if (all.length >= bounds.documents) return { atLeast: all.length };
    // A live cursor under the bound: the server cut the batch short, so the count tells.
    return cursor ? undefined : held(all);
  } catch {
    return undefined;
  } finally {
    if (cursor) await db.command({ killCursors: collection, cursors: [cursor] }, { session }).catch(() => {});
    await session.endSession().catch(() => {});
  }
}

/** Documents read whole, as one buffer: the reply they were sliced from can go at once. */
function held(batch: Uint8Array[]): WholeResult {
  return { estimatedDocuments: batch.length, documents: Buffer.concat(batch) };
}

/** A cursor id the server left open, or undefined for 0 (exhausted). */
function liveCursor(id: unknown): Long | undefined {
  const cursor = id instanceof Long ? id : Long.fromValue((id ?? 0) as number);
  return cursor.isZero() ? undefined : cursor;
}

/**
 * `admin.system.users` and `admin.system.roles`, read only when the user asks
 * for users and roles (they hold password hashes).
 */
export const AUTH_COLLECTIONS = { users: 'system.users', roles: 'system.roles' } as const;
