import { StowageError } from '../../errors.js';
import { EXACT_BSON_OPTIONS, toEjson } from './schema.js';
/**
 * Reading what a backup has to capture: databases, collections with their
 * options, views and indexes. Values are read with exact BSON types and turned
 * into canonical Extended JSON for the manifest.
 */
/** Databases never backed up by default: server-internal state. */
export const INTERNAL_DATABASES = new Set(['admin', 'local', 'config']);
/**
 * System collections a dump skips, as mongodump does: they are rebuilt by the
 * server (`system.indexes`, `system.namespaces`), described elsewhere
 * (`system.views` through the views themselves, `system.buckets.*` through their
 * time series collection), or are not data (`system.profile`). `system.js`
 * (stored functions) is user data and is kept.
 */
function isSkippedSystemCollection(name) {
    return name.startsWith('system.') && name !== 'system.js';
}
/** Which databases to back up: given names (checked to exist), the URL's, or every non-internal one. */
export async function resolveDatabases(client, requested, urlDatabase) {
    const existing = await listDatabaseNames(client);
    const wanted = requested?.length ? requested : urlDatabase ? [urlDatabase] : undefined;
    if (!wanted) {
        const all = existing.filter((name) => !INTERNAL_DATABASES.has(name));
        if (all.length === 0) {
            throw new StowageError('mongo-empty-server', 'the MongoDB server has no databases to back up', 'name a database in the URL (mongodb://host/db) or check that you are pointing at the right server');
        }
        return all;
    }
    const missing = wanted.filter((name) => !existing.includes(name));
    if (missing.length > 0) {
        const available = existing.filter((n) => !INTERNAL_DATABASES.has(n));
        throw new StowageError('mongo-missing-database', `database ${missing.map((n) => `"${n}"`).join(', ')} not found on the MongoDB server`, available.length
            ? `databases there: ${available.slice(0, 10).join(', ')}${available.length > 10 ? ', …' : ''}`
            : 'the server has no user databases');
    }
    return wanted;
}
async function listDatabaseNames(client) {
    const result = await client
        .db('admin')
        .command({ listDatabases: 1, nameOnly: true, authorizedDatabases: true });
    return result.databases.map((d) => d.name);
}
/** Everything to back up in the given databases, filtered by namespace patterns. */
export async function readCatalog(client, databases, filter) {
    const collections = [];
    const views = [];
    for (const dbName of databases) {
        const db = client.db(dbName);
        const infos = await db
            .listCollections({}, { ...EXACT_BSON_OPTIONS, authorizedCollections: true })
            .toArray();
        const names = new Set(infos.map((i) => String(i.name)));
        for (const info of infos) {
            const name = String(info.name);
            const type = String(info.type ?? 'collection');
            if (isSkippedSystemCollection(name))
                continue;
            if (!filter.accepts(`${dbName}.${name}`))
                continue;
            const options = toEjson((info.options ?? {}));
            if (type === 'view') {
                views.push({ db: dbName, name, options });
                continue;
            }
            if (type !== 'collection' && type !== 'timeseries')
                continue;
            const buckets = `system.buckets.${name}`;
            const useBuckets = type === 'timeseries' && names.has(buckets);
            const readFrom = useBuckets ? buckets : name;
            const uuid = uuidOf(useBuckets ? infos.find((i) => i.name === buckets) : info);
            collections.push({
                db: dbName,
                name,
                type,
                options,
                indexes: await readIndexes(db, name),
                readFrom,
                source: useBuckets ? 'buckets' : 'documents',
                ...(uuid ? { uuid } : {}),
                ...(await readStats(db, readFrom)),
            });
        }
    }
    return { databases, collections, views };
}
function uuidOf(info) {
    const uuid = info?.info?.uuid;
    return uuid ? uuid.toString('hex') : undefined;
}
/**
 * Whether a collection still exists as the same collection (same UUID where
 * the server has UUIDs). Checked after each collection is read, because not
 * every server fails a cursor whose collection is dropped: FerretDB ends it
 * early as if the data had run out.
 */
export async function collectionUnchanged(client, collection) {
    const [info] = await client
        .db(collection.db)
        .listCollections({ name: collection.readFrom }, { ...EXACT_BSON_OPTIONS, authorizedCollections: true })
        .toArray();
    if (!info)
        return false;
    return !collection.uuid || uuidOf(info) === collection.uuid;
}
async function readIndexes(db, collection) {
    const specs = await db
        .collection(collection)
        .listIndexes({ ...EXACT_BSON_OPTIONS })
        .toArray();
    return specs.map((spec) => toEjson(spec));
}
/** Size estimates from collStats; servers or users that refuse it just get no estimate. */
async function readStats(db, collection) {
    try {
        const stats = await db.command({ collStats: collection });
        return { estimatedDocuments: Number(stats.count ?? 0), estimatedBytes: Number(stats.size ?? 0) };
    }
    catch {
        try {
            return { estimatedDocuments: await db.collection(collection).estimatedDocumentCount() };
        }
        catch {
            return {};
        }
    }
}
/**
 * `admin.system.users` and `admin.system.roles`, read only when the user asks
 * for users and roles (they hold password hashes).
 */
export const AUTH_COLLECTIONS = { users: 'system.users', roles: 'system.roles' };
//# sourceMappingURL=catalog.js.map