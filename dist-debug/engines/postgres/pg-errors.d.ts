import { StowageError } from '../../errors.js';
/**
 * Turns driver and server errors into one-line {@link StowageError}s with a hint.
 * Expected failures (wrong password, missing database, lost connection, ...)
 * get a stable code; anything else keeps the server's message, prefixed with
 * what Stowage was doing, so the user sees the real cause.
 */
/** Where the error happened, for the message. Never contains a password. */
export interface ErrorContext {
    /** `host:port`, or the redacted URL. */
    server: string;
    database: string;
    user: string;
    /** Secrets that must not appear in any message. */
    secrets: (string | undefined)[];
    /** What we were doing, e.g. `backing up table public.orders`. */
    doing?: string;
    /** Restore or backup: picks the hint for a missing database. */
    mode?: 'backup' | 'restore';
}
/**
 * True for errors raised by the server or the driver (SQLSTATE, socket errors,
 * lost connections), as opposed to errors from our own streams (the archive).
 */
export declare function isDriverError(err: unknown): boolean;
/** True when the error means the connection to the server is gone. */
export declare function connectionWasLost(err: unknown): boolean;
/** Classifies `err` and returns the StowageError to throw. StowageErrors pass through unchanged. */
export declare function translatePgError(err: unknown, ctx: ErrorContext): StowageError;
