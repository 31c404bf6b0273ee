import type { PgSession } from './connect.js';
import type { PgTableData } from './model.js';
/**
 * Data-only restore: the schema already exists in the target (made by a
 * migration tool, or an earlier schema-only restore) and only rows are loaded.
 */
/** Fails unless every table to load exists in the target. */
export declare function requireTables(session: PgSession, tables: PgTableData[]): Promise<void>;
/** Tables loaded together: one after the other, in one transaction. */
export interface LoadGroup {
    id: string;
    /** Tables (`schema.name`, quoted as needed) in load order. */
    tables: string[];
    /** Groups that must be loaded first. */
    deps: string[];
}
/**
 * Plans a data-only load around the target's foreign keys between the tables
 * being loaded: a table waits for the tables it references. Tables in a
 * foreign-key cycle are loaded together in one transaction with deferrable
 * constraints deferred, ordered so that only deferrable keys point forward;
 * a cycle of non-deferrable keys cannot be loaded this way and is reported
 * (--disable-triggers loads it).
 */
export declare function dataOnlyLoadGroups(session: PgSession, tables: PgTableData[], warnings: string[]): Promise<LoadGroup[]>;
