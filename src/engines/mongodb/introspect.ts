import { type Db, type Document, type MongoClient, ReadPreference } from 'mongodb';
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
   * Read a collection of fewer than `documents` documents whole, in one
   * `find` batch, in place of the count that {@link exactBelow} would send:
   * the batch is its exact count too, and the data phase then has nothing
   * to ask the server for it. For FerretDB, where every command into a
   * database of thousands of collections costs the server milliseconds
   * whatever its size (at 2,000 collections a `find` of 20 documents ~8 ms,
   * the limited count ~2.4 ms), so two commands per small collection become
   * one. What is read is held until the data phase: once all of it together
   * passes `bytes`, the other collections are sized by the count again (a
   * collection read past the bound keeps its exact count, not its
   * documents). `documents` also bounds what one read can bring in, as the
   * data phase's own first batch does. Default: none.
   */
  wholeBelow?: { documents: number; bytes: number };
}

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
  const found: Omit<CatalogCollection, 'indexes'>[] = [];
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
  const readWhole = async (db: Db, collection: string) => {
    if (!wholeBelow || heldBytes >= wholeBelow.bytes) return undefined;
    const whole = await readWholeCollection(db, collection, wholeBelow.documents);
    if (!whole) return undefined;
    if (heldBytes + whole.documents.byteLength > wholeBelow.bytes) {
      // The bound is reached: this count is exact all the same (its documents are read again in
      // the data phase), and the collections after it are counted instead.
      heldBytes = wholeBelow.bytes;
      return { estimatedDocuments: whole.estimatedDocuments };
    }
    heldBytes += whole.documents.byteLength;
    return whole;
  };
  const collections = await mapLimited(found, concurrency, async (collection) => {
    const db = client.db(collection.db);
    const estimate = async () =>
      (await readWhole(db, collection.readFrom)) ??
      (exactBelow !== undefined ? await readSmallCount(db, collection.readFrom, exactBelow) : undefined) ??
      (countOnly.has(collection.db)
        ? readCount(db, collection.readFrom)
        : readStats(db, collection.readFrom));
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
 * The whole collection when it holds fewer than `below` documents, read in
 * one batch of at most `below` (a batch of exactly `below` leaves the rest
 * unread: then undefined, as when the server refuses the read).
 */
async function readWholeCollection(
  db: Db,
  collection: string,
  below: number,
): Promise<{ estimatedDocuments: number; documents: Buffer } | undefined> {
  try {
    const reply = await db.command(
      { find: collection, filter: {}, batchSize: below, singleBatch: true },
      { ...RAW_BATCHES, readPreference: ReadPreference.primary },
    );
    const batch = reply.cursor?.firstBatch as Uint8Array[] | undefined;
    if (!Array.isArray(batch) || batch.length >= below) return undefined;
    return {
      estimatedDocuments: batch.length,
      // One copy: the reply it was sliced from can go at once.
      documents: Buffer.concat(batch),
    };
  } catch {
    return undefined;
  }
}

/**
 * `admin.system.users` and `admin.system.roles`, read only when the user asks
 * for users and roles (they hold password hashes).
 */
export const AUTH_COLLECTIONS = { users: 'system.users', roles: 'system.roles' } as const;
