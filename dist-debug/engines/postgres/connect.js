import { userInfo } from 'node:os';
import pg from 'pg';
import { UsageError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { isDriverError, translatePgError } from './pg-errors.js';
import { createBackupSocket } from './socket-feed.js';
/** Parses a `postgres://` / `postgresql://` URL the way `pg` will use it. */
export function parseTarget(url) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        throw new UsageError(`not a valid PostgreSQL URL: ${redactUrl(url)}`, 'use postgres://user:password@host:port/database');
    }
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
        throw new UsageError(`not a PostgreSQL URL: ${redactUrl(url)}`, 'use postgres://user:password@host:port/database');
    }
    const user = decodeURIComponent(parsed.username) ||
        parsed.searchParams.get('user') ||
        process.env.PGUSER ||
        userInfo().username;
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) ||
        parsed.searchParams.get('dbname') ||
        process.env.PGDATABASE ||
        user;
    const host = decodeURIComponent(parsed.hostname) ||
        parsed.searchParams.get('host') ||
        process.env.PGHOST ||
        'localhost';
    const port = parsed.port || parsed.searchParams.get('port') || process.env.PGPORT || '5432';
    const password = parsed.password
        ? decodeURIComponent(parsed.password)
        : (process.env.PGPASSWORD ?? undefined);
    return {
        url,
        server: host.startsWith('/') ? `${host} (port ${port})` : `${host}:${port}`,
        database,
        user,
        password,
    };
}
/** The same URL pointing at another database (for CREATE DATABASE from the maintenance database). */
export function withDatabase(url, database) {
    const parsed = new URL(url);
    parsed.pathname = `/${encodeURIComponent(database)}`;
    parsed.searchParams.delete('dbname');
    return parsed.toString();
}
/** One connection with error translation. */
export class PgSession {
    client;
    target;
    context;
    signal;
    /** The error that killed the connection while idle, if any. */
    lost;
    closed = false;
    onAbort = () => void this.destroy();
    constructor(client, target, context, signal) {
        this.client = client;
        this.target = target;
        this.context = context;
        this.signal = signal;
        client.on('error', (err) => {
            this.lost = err;
        });
        signal?.addEventListener('abort', this.onAbort, { once: true });
    }
    /** Connects, applies settings, and translates a failure into a StowageError. */
    static async open(target, options) {
        const context = {
            server: target.server,
            database: target.database,
            user: target.user,
            secrets: [target.password],
            mode: options.mode,
        };
        const client = new pg.Client({
            connectionString: target.url,
            connectionTimeoutMillis: 15_000,
            application_name: 'stowage',
            keepAlive: true,
            // Backup sessions read COPY data into reusable buffers (socket-feed.ts).
            ...(options.mode === 'backup'
                ? { stream: createBackupSocket }
                : {}),
        });
        // Swallow errors until the session owns the client: connect() rejects with the same error.
        client.on('error', () => { });
        try {
            await client.connect();
        }
        catch (err) {
            void client.end().catch(() => { });
            throw translatePgError(err, context);
        }
        const session = new PgSession(client, target, context, options.signal);
        const settings = {
            statement_timeout: '0',
            idle_in_transaction_session_timeout: '0',
            lock_timeout: '0',
            ...options.settings,
        };
        // One round trip for all settings; set_config() keeps the values out of SQL syntax.
        const names = Object.keys(settings);
        await session.query(`SELECT ${names.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ')}`, names.flatMap((n) => [n, settings[n]]));
        return session;
    }
    /** Runs one statement; errors come back as StowageErrors that say what we were doing. */
    async query(sql, params, doing) {
        try {
            return await this.client.query(sql, params);
        }
        catch (err) {
            throw this.translate(err, doing);
        }
    }
    /**
     * Translates an error raised on this session. Errors that did not come from
     * the server or driver (a failing archive stream) pass through unchanged.
     */
    translate(err, doing) {
        if (this.lost === undefined && !isDriverError(err))
            return err instanceof Error ? err : new Error(String(err));
        return translatePgError(this.lost ?? err, { ...this.context, doing });
    }
    /** Ends the connection politely. Safe to call twice. */
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        this.signal?.removeEventListener('abort', this.onAbort);
        await this.client.end().catch(() => { });
    }
    /** Drops the connection at once (abort, or cleanup after a failure mid-COPY). */
    destroy() {
        if (this.closed)
            return;
        this.closed = true;
        this.signal?.removeEventListener('abort', this.onAbort);
        // end() waits for the server; on a stuck COPY we want the socket gone now.
        const conn = this.client.connection;
        conn?.stream?.destroy();
        void this.client.end().catch(() => { });
    }
}
//# sourceMappingURL=connect.js.map