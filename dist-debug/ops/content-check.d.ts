import type { ArchiveReader } from '../archive/reader.js';
/**
 * Compares a database with an archive, table by table (collection by
 * collection): row/document counts and content. The database is dumped again
 * through the same engine into digesting streams (nothing is stored), so
 * "content" means exactly the bytes a backup would hold. A stream whose
 * SHA-256 matches the archive's is equal; otherwise the items are compared as
 * a multiset, since a restore may legitimately change the order.
 */
/** How one table or collection compared. */
export interface UnitComparison {
    /** Table or collection, as the archive names it. */
    unit: string;
    archiveItems: number;
    databaseItems: number;
    match: boolean;
    /** `bytes`: byte-identical streams (equal digests); `multiset`: same items in another order. */
    method: 'bytes' | 'multiset';
    problem?: string;
}
export interface ContentComparison {
    compared: number;
    units: UnitComparison[];
    /** One line per difference; empty when the database matches the archive. */
    mismatches: string[];
}
export interface CompareOptions {
    /** Maps an archive unit name to the name it has in the database (restores with renames). Default: same name. */
    rename?: (unit: string) => string;
    /** Engine options for the re-dump (e.g. MongoDB `databases`). */
    backupOptions?: Record<string, unknown>;
    jobs?: number;
    signal?: AbortSignal;
}
/** Streams that hold no table or collection data (MongoDB's captured oplog and the like). */
export declare function isDataStream(name: string): boolean;
/** Dumps `url` again and compares it with the archive open in `reader`. */
export declare function compareWithDatabase(reader: ArchiveReader, url: string, options?: CompareOptions): Promise<ContentComparison>;
