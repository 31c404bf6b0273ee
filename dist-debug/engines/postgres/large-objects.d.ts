import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { PgSession } from './connect.js';
/**
 * Large objects (`lo_*`, pg_largeobject): database-wide, not in any schema,
 * backed up like pg_dump does by default: with a whole-database backup, left
 * out when the backup or restore selects schemas or tables.
 *
 * They travel in one archive stream, {@link LARGE_OBJECTS_STREAM}, read with
 * `lo_get()` inside the backup's snapshot (a large object opened for reading
 * shows the snapshot's contents), a few at a time for small objects and 1 MiB
 * at a time for big ones, so memory stays flat whatever their sizes. Stream
 * layout, big-endian:
 *
 *     object := oid:u32  ownerLength:u16  owner:utf8  chunk*  0:u32
 *     chunk  := length:u32 (> 0)  bytes[length]
 *
 * Comments and privileges, rare, go in the schema section (`extras`).
 * Restore creates each object with its original OID (`lo_from_bytea`, small
 * ones many per round trip), appends further chunks with `lo_put`, and sets
 * owners and privileges only with `--owner`, like everything else.
 */
export declare const LARGE_OBJECTS_STREAM = "$large-objects";
export declare const LargeObjectsSchema: z.ZodObject<{
    stream: z.ZodString;
    count: z.ZodNumber;
    extras: z.ZodArray<z.ZodObject<{
        oid: z.ZodNumber;
        comment: z.ZodArray<z.ZodString>;
        acl: z.ZodArray<z.ZodString>;
    }, z.core.$strip>>;
}, z.core.$strip>;
export type LargeObjects = z.infer<typeof LargeObjectsSchema>;
/** Counts the large objects and reads the comments and privileges of those that have them. */
export declare function readLargeObjectCatalog(session: PgSession): Promise<LargeObjects | undefined>;
/** Writes every large object into `sink` (see the stream layout above); returns how many, and the bytes written. */
export declare function dumpLargeObjects(session: PgSession, sink: Writable): Promise<{
    objects: number;
    bytes: number;
}>;
export interface LoadLargeObjectsOptions {
    /** Remove objects with the same OIDs first (`--clean`). */
    clean: boolean;
    /** Set owners (and, through `extras`, privileges). */
    owner: boolean;
    extras: LargeObjects['extras'];
    onObject?: () => void;
}
/** Recreates the large objects in `source`; returns how many. */
export declare function loadLargeObjects(session: PgSession, source: Readable, options: LoadLargeObjectsOptions): Promise<number>;
