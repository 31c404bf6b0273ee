import { PgSession, type PgTarget } from './connect.js';
/**
 * The restore target: connecting to it, creating it when asked, and refusing
 * to write into a database that already holds objects.
 */
/**
 * Opens the target database; with `create`, creates it first when it does not
 * exist (connecting to the `postgres` maintenance database, or `template1`).
 */
export declare function openTarget(url: string, options: {
    create: boolean;
    encoding: string;
    settings: Record<string, string>;
    signal?: AbortSignal;
}, warnings: string[]): Promise<{
    session: PgSession;
    created: boolean;
    target: PgTarget;
}>;
/** Counts user objects in the target; a fresh database (even with extensions installed) counts zero. */
export declare function countUserObjects(session: PgSession): Promise<{
    relations: number;
    routines: number;
    types: number;
}>;
/** Throws unless the target holds no user objects. */
export declare function requireEmptyTarget(session: PgSession): Promise<void>;
