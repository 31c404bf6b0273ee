import { type Document, type MongoClient } from 'mongodb';
/**
 * Reading a collection as batches of raw BSON documents.
 *
 * The driver's `raw: true` cursor hands out each document as bytes, but on
 * the way it builds a lazily parsed document object per document (with an
 * array per field) and throws it away again. For a dump of millions of
 * documents that is the largest cost left after the network, and the
 * garbage, surviving into the old generation while batches wait on
 * backpressure, grows the heap with the size of the dump. Running `find` and
 * `getMore` as commands with `fieldsAsRaw` on the batch fields yields plain
 * byte slices of the reply instead: no per-document objects beyond the slice,
 * and memory that stays flat however large the collection.
 *
 * The command path needs every `getMore` to reach the server that holds the
 * cursor. With a primary read preference on a standalone or replica set that
 * is always the case; elsewhere (mongos, secondary reads) the driver's
 * cursor, which pins its server, is used instead.
 */
/** What to read. */
export interface BatchQuery {
    db: string;
    collection: string;
    filter: Document;
    batchSize: number;
    /** Read in natural (storage) order. */
    natural: boolean;
}
/** A source of raw document batches. `next` resolves to null when the collection is exhausted. */
export interface BatchReader {
    next(): Promise<Uint8Array[] | null>;
    close(): Promise<void>;
}
/** Picks the fastest reader that is correct for this client's topology and read preference. */
export declare function openBatchReader(client: MongoClient, query: BatchQuery, topology: 'standalone' | 'replicaSet' | 'sharded'): BatchReader;
