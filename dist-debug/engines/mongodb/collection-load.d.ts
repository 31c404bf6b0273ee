import type { Readable } from 'node:stream';
import { StowageError } from '../../errors.js';
import type { BatchPool } from './batch-pool.js';
import type { InsertWriteError, RawInserter } from './raw-insert.js';
import { Semaphore } from './work-pool.js';
/**
 * Loads one archive stream into one collection: split the raw BSON stream into
 * documents, copy them into batches taken from the restore's shared
 * {@link BatchPool}, and keep up to `workers` insert commands in flight.
 * Documents the server refuses are counted by reason and a few messages
 * kept; they are never dropped without a trace.
 */
export interface LoadOptions {
    streamName: string;
    namespace: string;
    /**
     * Where batches come from: its batch size bounds one batch in bytes (a
     * single larger document still goes alone), its budget bounds all batches
     * of the restore together.
     */
    batches: BatchPool;
    /** Upper bound of one batch in documents (the server's maxWriteBatchSize). */
    batchDocuments: number;
    /** The server's maxBsonObjectSize: larger documents cannot be inserted at all. */
    maxDocumentBytes: number;
    /** Insert commands in flight at once for this stream. */
    workers: number;
    /** A limit shared with other streams (e.g. per target database), taken after the stream's own. */
    shared?: Semaphore;
    stopOnError: boolean;
    onProgress?: (documents: number, bytes: number) => void;
    signal?: AbortSignal;
}
/** What happened to the documents of one stream. */
export interface LoadReport {
    /** Documents read from the stream. */
    read: number;
    inserted: number;
    bytes: number;
    duplicateKeys: number;
    validationFailures: number;
    otherFailures: number;
    /** The first few server messages, for the report. */
    samples: string[];
}
/** A document the server refused while `stopOnError` is set. */
export declare class InsertRejectedError extends StowageError {
    constructor(namespace: string, error: InsertWriteError);
}
export declare function loadStream(inserter: RawInserter, source: Readable, options: LoadOptions): Promise<LoadReport>;
