import pg from 'pg';
import { type ErrorContext } from './pg-errors.js';
/**
 * Connections. Every session the engine opens goes through {@link PgSession}:
 * it owns one `pg.Client`, turns every error into a one-line StowageError with
 * the password removed, and never lets an idle connection's error crash the
 * process (a bare `pg.Client` emits an unhandled `'error'` when the server
 * goes away between queries).
 */
/** A parsed connection URL, with what messages may show. */
export interface PgTarget {
    url: string;
    /** `host:port` (or the socket folder), for messages. */
    server: string;
    database: string;
    user: string;
    password: string | undefined;
}
/** Parses a `postgres://` / `postgresql://` URL the way `pg` will use it. */
export declare function parseTarget(url: string): PgTarget;
/** The same URL pointing at another database (for CREATE DATABASE from the maintenance database). */
export declare function withDatabase(url: string, database: string): string;
export interface SessionOptions {
    mode: 'backup' | 'restore';
    /** Session settings applied right after connecting (`SET name = value`). */
    settings?: Record<string, string>;
    signal?: AbortSignal;
}
/** One connection with error translation. */
export declare class PgSession {
    readonly client: pg.Client;
    readonly target: PgTarget;
    readonly context: ErrorContext;
    private readonly signal;
    /** The error that killed the connection while idle, if any. */
    lost: unknown;
    private closed;
    private readonly onAbort;
    private constructor();
    /** Connects, applies settings, and translates a failure into a StowageError. */
    static open(target: PgTarget, options: SessionOptions): Promise<PgSession>;
    /** Runs one statement; errors come back as StowageErrors that say what we were doing. */
    query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], doing?: string): Promise<pg.QueryResult<R>>;
    /**
     * Translates an error raised on this session. Errors that did not come from
     * the server or driver (a failing archive stream) pass through unchanged.
     */
    translate(err: unknown, doing?: string): Error;
    /** Ends the connection politely. Safe to call twice. */
    close(): Promise<void>;
    /** Drops the connection at once (abort, or cleanup after a failure mid-COPY). */
    destroy(): void;
}
