import { engineNameForUrl } from '../engines/registry.js';
import { StowageError } from '../errors.js';
import { redactSecrets, redactUrl } from '../redact.js';
/**
 * Small direct questions to a database server that operations need before or
 * after the engines do their work: is it reachable, does the target hold
 * data already (restore safety), drop a scratch database (restore tests).
 * Kept apart from the engines, which only move data.
 */
const TIMEOUT_MS = 10_000;
/** Connects and runs a trivial command; throws a one-line StowageError when the server cannot be reached. */
export async function checkReachable(url) {
    const engine = engineNameForUrl(url);
    if (engine === 'postgres') {
        return withPg(url, async (client) => {
            const res = await client.query('SHOW server_version');
            return { engine, version: res.rows[0]?.v ?? '?' };
        });
    }
    return withMongo(url, async (client) => {
        const info = (await client.db('admin').command({ buildInfo: 1 }));
        return { engine, version: info.version ?? '?' };
    });
}
/**
 * What the database a URL names holds. For MongoDB, `databases` lists the
 * databases a restore would write (the URL names none when restoring a
 * whole deployment).
 */
export async function inspectTarget(url, databases = []) {
    const engine = engineNameForUrl(url);
    if (engine === 'postgres') {
        let exists = true;
        const contents = await withPg(url, async (client) => {
            const res = await client.query(`SELECT n.nspname || '.' || c.relname AS name, count(*) OVER () AS total
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'm')
            AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg\\_%'
          ORDER BY 1 LIMIT 5`);
            return { exists: true, objects: Number(res.rows[0]?.total ?? 0), sample: res.rows.map((r) => r.name) };
        }).catch((err) => {
            // 3D000 invalid_catalog_name: the database does not exist yet, which is an empty target.
            if (err.cause?.code === '3D000') {
                exists = false;
                return undefined;
            }
            throw err;
        });
        if (!exists || !contents)
            return { exists: false, objects: 0, sample: [] };
        return contents;
    }
    return withMongo(url, async (client) => {
        const named = mongoDatabase(url);
        const wanted = named ? [named] : databases;
        let objects = 0;
        const sample = [];
        let exists = false;
        const present = new Set(((await client.db('admin').admin().listDatabases({ nameOnly: true })).databases ?? []).map((d) => d.name));
        for (const db of wanted) {
            if (!present.has(db))
                continue;
            exists = true;
            const collections = await client.db(db).listCollections({}, { nameOnly: true }).toArray();
            const user = collections.filter((c) => !c.name.startsWith('system.'));
            objects += user.length;
            for (const c of user.slice(0, 5 - sample.length))
                sample.push(`${db}.${c.name}`);
        }
        return { exists, objects, sample };
    });
}
/** Drops a database (a restore test's scratch database). Missing is fine. */
export async function dropDatabase(url) {
    const engine = engineNameForUrl(url);
    if (engine === 'postgres') {
        const database = pgDatabase(url);
        await withPg(maintenanceUrl(url), async (client) => {
            await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
        });
        return;
    }
    const db = mongoDatabase(url);
    if (!db)
        throw new StowageError('usage', `no database named in ${redactUrl(url)}`);
    await withMongo(url, async (client) => {
        await client.db(db).dropDatabase();
    });
}
/** The PostgreSQL database a URL names (default: the user name, like libpq). */
export function pgDatabase(url) {
    const parsed = new URL(url);
    return (decodeURIComponent(parsed.pathname.replace(/^\//, '')) ||
        parsed.searchParams.get('dbname') ||
        decodeURIComponent(parsed.username) ||
        'postgres');
}
/** The MongoDB database a URL's path names, if any. */
export function mongoDatabase(url) {
    const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(url);
    return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}
/** The same server's `postgres` database, from which other databases can be created and dropped. */
function maintenanceUrl(url) {
    const parsed = new URL(url);
    parsed.pathname = '/postgres';
    parsed.searchParams.delete('dbname');
    return parsed.toString();
}
function quoteIdent(name) {
    return `"${name.replaceAll('"', '""')}"`;
}
async function withPg(url, fn) {
    // Drivers load on demand: a PostgreSQL backup should not carry the MongoDB driver in memory, nor the reverse.
    const { default: driver } = await import('pg');
    const client = new driver.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS });
    client.on('error', () => { }); // a server going away while idle must not crash the process
    return withConnection(url, client, () => client.connect(), () => client.end(), fn);
}
async function withMongo(url, fn) {
    const { MongoClient: Client } = await import('mongodb');
    const client = new Client(url, { serverSelectionTimeoutMS: TIMEOUT_MS, connectTimeoutMS: TIMEOUT_MS });
    return withConnection(url, client, () => client.connect(), () => client.close(), fn);
}
/** Connects, runs `fn`, always disconnects; errors come out as one-line messages without the password. */
async function withConnection(url, client, connect, disconnect, fn) {
    try {
        await connect();
    }
    catch (err) {
        await disconnect().catch(() => { });
        throw unreachable(err, url);
    }
    try {
        return await fn(client);
    }
    catch (err) {
        throw clean(err, url);
    }
    finally {
        await disconnect().catch(() => { });
    }
}
function secretsOf(url) {
    try {
        const password = decodeURIComponent(new URL(url).password);
        return password ? [password, encodeURIComponent(password)] : [];
    }
    catch {
        return [];
    }
}
function unreachable(err, url) {
    const detail = redactSecrets(err instanceof Error ? err.message : String(err), secretsOf(url)).split('\n')[0];
    return new StowageError('db-unreachable', `cannot connect to ${redactUrl(url)}: ${detail}`, 'check the host, port, credentials and that the server is running', { cause: err });
}
function clean(err, url) {
    if (err instanceof StowageError)
        return err;
    const detail = redactSecrets(err instanceof Error ? err.message : String(err), secretsOf(url)).split('\n')[0];
    return new StowageError('db-error', `${redactUrl(url)}: ${detail}`, undefined, { cause: err });
}
//# sourceMappingURL=database-probe.js.map