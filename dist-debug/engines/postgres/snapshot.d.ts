import type { PgSession } from './connect.js';
/**
 * One point in time for the whole backup. The leader opens a REPEATABLE READ,
 * READ ONLY transaction and exports its snapshot; every worker opens the same
 * kind of transaction and imports it, so all tables are read as of the same
 * instant however many connections share the work (pg_dump -j does the same).
 */
/** Starts the leader's transaction and returns the exported snapshot id (undefined on PGlite, which has one backend). */
export declare function beginSnapshot(leader: PgSession, exportable: boolean): Promise<string | undefined>;
/** Makes a worker see exactly what the leader sees. */
export declare function joinSnapshot(worker: PgSession, snapshot: string): Promise<void>;
/**
 * Takes ACCESS SHARE locks on the tables being backed up, early, like pg_dump:
 * a concurrent DROP or ALTER then waits for the backup instead of pulling a
 * table out from under it. A table dropped between listing and locking fails
 * here with a clear message.
 */
export declare function lockRelations(leader: PgSession, relations: {
    schema: string;
    name: string;
    relkind: string;
}[]): Promise<void>;
