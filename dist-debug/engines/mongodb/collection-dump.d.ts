import type { Document, MongoClient } from 'mongodb';
import type { EngineStreamWriter } from '../engine.js';
/**
 * Reads one collection (or one _id range of it) as raw BSON and writes the
 * documents' bytes to one stream, untouched. Each document read with
 * `raw: true` is the exact BSON the server sent, length prefix included, so
 * concatenating them is already the stream format.
 */
/** One unit of dump work: a whole collection or a slice of it. */
export interface DumpTask {
    db: string;
    /** The collection to read (for time series, its `system.buckets.*`). */
    collection: string;
    stream: string;
    filter: Document;
    /** Read in natural (storage) order: the cheapest full scan, as mongodump does. */
    natural: boolean;
    /** Documents per batch, sized so one batch stays near a few MiB. */
    batchSize: number;
}
export interface DumpResult {
    documents: number;
    bytes: number;
}
/**
 * Streams `task` into `writer` and ends it. While one batch is being written
 * (and waits on backpressure), the next is already being fetched from the
 * server, so the network and the archive work at the same time; at most two
 * batches (plus the one being copied) are held in memory.
 */
export declare function dumpCollection(client: MongoClient, task: DumpTask, writer: EngineStreamWriter, hooks?: {
    onBatch?: (documents: number, bytes: number) => void;
    signal?: AbortSignal;
    topology?: 'standalone' | 'replicaSet' | 'sharded';
}): Promise<DumpResult>;
