import type { EngineName } from '../engines/engine.js';
/** What a target database holds before a restore. */
export interface TargetContents {
    exists: boolean;
    /** Tables (PostgreSQL, outside system schemas) or collections (MongoDB). */
    objects: number;
    /** A few of their names, for the confirmation prompt. */
    sample: string[];
}
/** Connects and runs a trivial command; throws a one-line StowageError when the server cannot be reached. */
export declare function checkReachable(url: string): Promise<{
    engine: EngineName;
    version: string;
}>;
/**
 * What the database a URL names holds. For MongoDB, `databases` lists the
 * databases a restore would write (the URL names none when restoring a
 * whole deployment).
 */
export declare function inspectTarget(url: string, databases?: string[]): Promise<TargetContents>;
/** Drops a database (a restore test's scratch database). Missing is fine. */
export declare function dropDatabase(url: string): Promise<void>;
/** The PostgreSQL database a URL names (default: the user name, like libpq). */
export declare function pgDatabase(url: string): string;
/** The MongoDB database a URL's path names, if any. */
export declare function mongoDatabase(url: string): string | undefined;
