import type { Readable } from 'node:stream';
import { BSON, type Document, type MongoClient, Timestamp } from 'mongodb';
import { abortReason } from '../../abort-reason.js';
import { StowageError } from '../../errors.js';
import type { EngineStreamWriter } from '../engine.js';
import { splitBson } from './bson-splitter.js';
import { dumpCollection } from './collection-dump.js';
import { OplogWriteBatcher, oplogEntryToWrites } from './oplog-writes.js';
import { EXACT_BSON_OPTIONS } from './schema.js';

/**
 * Point-in-time backups on a replica set, the way `mongodump --oplog` does it:
 * note the newest oplog entry before the first collection is read, copy every
 * entry written until the last one is done, and on restore apply those entries
 * after the data. Documents changed during the dump are then brought to their
 * state at the end of the dump, so the restored data is one instant.
 */

const OPLOG_DB = 'local';
const OPLOG_COLLECTION = 'oplog.rs';

/** Whether the server keeps an oplog (`local.oplog.rs` exists), whatever its topology says. */
export async function hasOplog(client: MongoClient): Promise<boolean> {
  const found = await client
    .db(OPLOG_DB)
    .listCollections({ name: OPLOG_COLLECTION }, { nameOnly: true })
    .toArray()
    .catch(() => []);
  return found.length > 0;
}

/**
 * Where a point-in-time capture starts: the newest oplog entry, or the zero
 * timestamp when the oplog is still empty (a fresh replica set, or FerretDB
 * just given its capped `local.oplog.rs`): then every entry that appears was
 * written during the dump.
 */
export async function oplogStart(client: MongoClient): Promise<Timestamp> {
  return (await oplogHead(client)) ?? EMPTY_OPLOG_START;
}

const EMPTY_OPLOG_START = Timestamp.fromBits(0, 0);

/** The timestamp of the newest oplog entry, if there is one. */
async function oplogHead(client: MongoClient): Promise<Timestamp | undefined> {
  const last = await client
    .db(OPLOG_DB)
    .collection(OPLOG_COLLECTION)
    .find({}, { sort: { $natural: -1 }, limit: 1, projection: { ts: 1 } })
    .next();
  return last?.ts as Timestamp | undefined;
}

async function oplogTail(client: MongoClient): Promise<Timestamp | undefined> {
  const first = await client
    .db(OPLOG_DB)
    .collection(OPLOG_COLLECTION)
    .find({}, { sort: { $natural: 1 }, limit: 1, projection: { ts: 1 } })
    .next();
  return first?.ts as Timestamp | undefined;
}

const escapeRegex = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/**
 * Copies the oplog entries after `start` up to now into `writer`, keeping
 * those that touch the backed-up databases (plus transactions, which carry
 * their operations nested under `admin.$cmd`). Fails if the oplog has rolled
 * past `start`: entries would be missing and the result would not be one
 * point in time.
 */
export async function captureOplog(
  client: MongoClient,
  start: Timestamp,
  databases: string[],
  writer: EngineStreamWriter,
  signal?: AbortSignal,
): Promise<{ entries: number; end: Timestamp }> {
  const end = (await oplogHead(client)) ?? start;
  await assertNotRolledOver(client, start);
  const dbs = databases.map(escapeRegex).join('|');
  const filter: Document = {
    ts: { $gt: start, $lte: end },
    op: { $ne: 'n' },
    $or: [{ ns: { $regex: `^(?:${dbs})\\.` } }, { ns: 'admin.$cmd' }],
  };
  const { documents } = await dumpCollection(
    client,
    { db: OPLOG_DB, collection: OPLOG_COLLECTION, stream: 'oplog', filter, natural: true, batchSize: 10_000 },
    writer,
    { topology: 'replicaSet', ...(signal ? { signal } : {}) },
  );
  // Reading took time too: the entries must still have been all there when we finished.
  await assertNotRolledOver(client, start);
  return { entries: documents, end };
}

async function assertNotRolledOver(client: MongoClient, start: Timestamp): Promise<void> {
  // An oplog that was empty when the dump began has lost nothing from before
  // it; entries written during the dump are all read in one pass.
  if (start.equals(EMPTY_OPLOG_START)) return;
  const oldest = await oplogTail(client);
  if (oldest?.greaterThan(start)) {
    throw new StowageError(
      'mongo-oplog-rolled-over',
      'the oplog rolled over during the backup: changes made while it ran are no longer in the oplog',
      'enlarge the oplog (replSetResizeOplog), back up fewer collections per run, or use more --jobs',
    );
  }
}

/** Maps a namespace to its restore target, or null to skip it. */
export type NamespaceMapper = (namespace: string) => string | null;

/** Commands whose first field names a collection of the command's database. */
const COLLECTION_COMMANDS = new Set([
  'create',
  'drop',
  'collMod',
  'createIndexes',
  'dropIndexes',
  'deleteIndexes',
  'emptycapped',
  'convertToCapped',
]);

/**
 * Rewrites one oplog entry for the restore target: drops collection UUIDs
 * (`ui`; the restored collections have new ones), applies renames and
 * filters, or returns null when the entry must not be applied.
 */
export function mapOplogEntry(entry: Document, mapNamespace: NamespaceMapper): Document | null {
  const op = String(entry.op);
  const out: Document = { ...entry };
  delete out.ui;
  if (op === 'n') return null;
  if (op === 'i' || op === 'u' || op === 'd') {
    const ns = mapNamespace(String(entry.ns));
    if (!ns) return null;
    out.ns = ns;
    return out;
  }
  if (op !== 'c') return null;
  const ns = String(entry.ns);
  const db = ns.slice(0, ns.indexOf('.'));
  const command = { ...(entry.o as Document) };
  const name = Object.keys(command)[0];
  if (name === 'applyOps') {
    // A transaction: keep the nested operations that survive the filter.
    const nested = (command.applyOps as Document[])
      .map((inner) => mapOplogEntry(inner, mapNamespace))
      .filter((e): e is Document => e !== null);
    if (nested.length === 0) return null;
    command.applyOps = nested;
    out.o = command;
    return out;
  }
  if (name && COLLECTION_COMMANDS.has(name)) {
    const target = mapNamespace(`${db}.${String(command[name])}`);
    if (!target) return null;
    const dot = target.indexOf('.');
    command[name] = target.slice(dot + 1);
    out.ns = `${target.slice(0, dot)}.$cmd`;
    out.o = command;
    return out;
  }
  if (name === 'renameCollection') {
    const from = mapNamespace(String(command.renameCollection));
    const to = mapNamespace(String(command.to));
    if (!from || !to) return null;
    command.renameCollection = from;
    command.to = to;
    out.o = command;
    return out;
  }
  // dropDatabase, prepared-transaction markers and anything unknown are not replayed.
  return null;
}

/** "no such command" from a server without `applyOps` (FerretDB), or a user not allowed to run it. */
function applyOpsUnavailable(error: unknown): boolean {
  const e = error as { code?: number; codeName?: string; message?: string };
  return (
    e.code === 59 ||
    e.codeName === 'CommandNotFound' ||
    e.code === 13 ||
    /no such (cmd|command)/i.test(String(e.message))
  );
}

/**
 * Applies the captured oplog entries in order: one `applyOps` each (as
 * mongorestore does, so one failure names one entry), or, where the server
 * has no `applyOps` or the user may not run it, as ordinary idempotent writes
 * (oplog-writes.ts). Entries are decoded with exact BSON types; applyOps
 * takes them as a command argument, not as raw bytes.
 */
export async function replayOplog(
  client: MongoClient,
  stream: Readable,
  streamName: string,
  mapNamespace: NamespaceMapper,
  signal?: AbortSignal,
): Promise<{ applied: number; skipped: number; method: 'applyOps' | 'writes' }> {
  let applied = 0;
  let skipped = 0;
  const admin = client.db('admin');
  let writes: OplogWriteBatcher | undefined;
  for await (const raw of splitBson(stream, { streamName })) {
    if (signal?.aborted) throw abortReason(signal, 'restore');
    const entry = BSON.deserialize(raw, EXACT_BSON_OPTIONS);
    const mapped = mapOplogEntry(entry, mapNamespace);
    if (!mapped) {
      skipped++;
      continue;
    }
    if (!writes) {
      try {
        await admin.command({ applyOps: [mapped] });
        applied++;
        continue;
      } catch (error) {
        if (applied > 0 || !applyOpsUnavailable(error)) throw error;
        writes = new OplogWriteBatcher(client);
      }
    }
    for (const write of oplogEntryToWrites(mapped)) await writes.add(write);
    applied++;
  }
  await writes?.flush();
  return { applied, skipped, method: writes ? 'writes' : 'applyOps' };
}
