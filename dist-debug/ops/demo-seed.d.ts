/**
 * The sample shop database `stowage demo` backs up: a few related tables with
 * the column types real schemas use (serial keys, numeric money, timestamps
 * with time zones, jsonb, arrays, uuid, bytea, booleans, an enum, NULLs and
 * non-ASCII text), foreign keys, indexes, a view and a sequence, filled with
 * generated rows. `scale` multiplies the row counts.
 */
export declare function demoSeedSql(scale: number): string;
/** Tables of the demo database, for its closing summary. */
export declare const DEMO_TABLES: string[];
