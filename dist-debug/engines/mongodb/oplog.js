import { BSON } from 'mongodb';
import { StowageError } from '../../errors.js';
import { splitBson } from './bson-splitter.js';
import { dumpCollection } from './collection-dump.js';
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
/** The timestamp of the newest oplog entry. */
export async function oplogHead(client) {
    const last = await client
        .db(OPLOG_DB)
        .collection(OPLOG_COLLECTION)
        .find({}, { sort: { $natural: -1 }, limit: 1, projection: { ts: 1 } })
        .next();
    if (!last?.ts) {
        throw new StowageError('mongo-no-oplog', 'the server has no oplog (local.oplog.rs is empty or missing)', 'point-in-time backups need a replica set member; run without --oplog');
    }
    return last.ts;
}
async function oplogTail(client) {
    const first = await client
        .db(OPLOG_DB)
        .collection(OPLOG_COLLECTION)
        .find({}, { sort: { $natural: 1 }, limit: 1, projection: { ts: 1 } })
        .next();
    return first?.ts;
}
const escapeRegex = (text) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
/**
 * Copies the oplog entries after `start` up to now into `writer`, keeping
 * those that touch the backed-up databases (plus transactions, which carry
 * their operations nested under `admin.$cmd`). Fails if the oplog has rolled
 * past `start`: entries would be missing and the result would not be one
 * point in time.
 */
export async function captureOplog(client, start, databases, writer, signal) {
    const end = await oplogHead(client);
    await assertNotRolledOver(client, start);
    const dbs = databases.map(escapeRegex).join('|');
    const filter = {
        ts: { $gt: start, $lte: end },
        op: { $ne: 'n' },
        $or: [{ ns: { $regex: `^(?:${dbs})\\.` } }, { ns: 'admin.$cmd' }],
    };
    const { documents } = await dumpCollection(client, { db: OPLOG_DB, collection: OPLOG_COLLECTION, stream: 'oplog', filter, natural: true, batchSize: 10_000 }, writer, { topology: 'replicaSet', ...(signal ? { signal } : {}) });
    // Reading took time too: the entries must still have been all there when we finished.
    await assertNotRolledOver(client, start);
    return { entries: documents, end };
}
async function assertNotRolledOver(client, start) {
    const oldest = await oplogTail(client);
    if (oldest?.greaterThan(start)) {
        throw new StowageError('mongo-oplog-rolled-over', 'the oplog rolled over during the backup: changes made while it ran are no longer in the oplog', 'enlarge the oplog (replSetResizeOplog), back up fewer collections per run, or use more --jobs');
    }
}
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
export function mapOplogEntry(entry, mapNamespace) {
    const op = String(entry.op);
    const out = { ...entry };
    delete out.ui;
    if (op === 'n')
        return null;
    if (op === 'i' || op === 'u' || op === 'd') {
        const ns = mapNamespace(String(entry.ns));
        if (!ns)
            return null;
        out.ns = ns;
        return out;
    }
    if (op !== 'c')
        return null;
    const ns = String(entry.ns);
    const db = ns.slice(0, ns.indexOf('.'));
    const command = { ...entry.o };
    const name = Object.keys(command)[0];
    if (name === 'applyOps') {
        // A transaction: keep the nested operations that survive the filter.
        const nested = command.applyOps
            .map((inner) => mapOplogEntry(inner, mapNamespace))
            .filter((e) => e !== null);
        if (nested.length === 0)
            return null;
        command.applyOps = nested;
        out.o = command;
        return out;
    }
    if (name && COLLECTION_COMMANDS.has(name)) {
        const target = mapNamespace(`${db}.${String(command[name])}`);
        if (!target)
            return null;
        const dot = target.indexOf('.');
        command[name] = target.slice(dot + 1);
        out.ns = `${target.slice(0, dot)}.$cmd`;
        out.o = command;
        return out;
    }
    if (name === 'renameCollection') {
        const from = mapNamespace(String(command.renameCollection));
        const to = mapNamespace(String(command.to));
        if (!from || !to)
            return null;
        command.renameCollection = from;
        command.to = to;
        out.o = command;
        return out;
    }
    // dropDatabase, prepared-transaction markers and anything unknown are not replayed.
    return null;
}
/**
 * Applies the captured oplog entries, in order, one `applyOps` each (as
 * mongorestore does, so one failure names one entry). Entries are decoded
 * with exact BSON types; applyOps takes them as a command argument, not as
 * raw bytes.
 */
export async function replayOplog(client, stream, streamName, mapNamespace, signal) {
    let applied = 0;
    let skipped = 0;
    const admin = client.db('admin');
    for await (const raw of splitBson(stream, { streamName })) {
        if (signal?.aborted)
            throw new StowageError('aborted', 'restore was cancelled');
        const entry = BSON.deserialize(raw, EXACT_BSON_OPTIONS);
        const mapped = mapOplogEntry(entry, mapNamespace);
        if (!mapped) {
            skipped++;
            continue;
        }
        await admin.command({ applyOps: [mapped] });
        applied++;
    }
    return { applied, skipped };
}
//# sourceMappingURL=oplog.js.map