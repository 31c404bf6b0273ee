import { type Document, type MongoClient } from 'mongodb';
import type { InsertBatch } from './insert-batch.js';
/**
 * Inserting documents that are already BSON, without decoding them.
 *
 * The driver's public insert API takes JavaScript objects and serializes
 * them, and a decode/encode round trip through js-bson is not exact for every
 * type: DBPointer comes back as a DBRef document, Undefined as Null, dates
 * beyond JavaScript's ±8.64e15 ms as 0, `{$ref, $id, …}` documents may be
 * reordered. The
 * wire protocol does not need objects, though: an OP_MSG `insert` carries its
 * documents in a "document sequence" section of plain concatenated BSON. The
 * driver builds such sections itself with its `DocumentSequence` class
 * (internal but stable since driver 6.x); handing it our bytes sends them to
 * the server exactly as they were read at backup time.
 *
 * An {@link InsertBatch} already holds the finished section. The driver
 * would copy a sequence's pieces into a section of its own (and then copy
 * that twice more into the message); a sequence whose `toBin()` returns the
 * batch's section saves that first copy. Whether this driver really takes a
 * sequence's bytes from `toBin()` is checked once, on a tiny message, before
 * it is relied on; if not, the batch goes in through `push` like any other.
 *
 * If a future driver drops that class, {@link RawInserter} falls back to
 * decoding with every type-preserving option on and says so through
 * {@link RawInserter.exact}, so the loss can be reported instead of hidden.
 */
interface DocumentSequenceLike {
    push(document: Document, buffer: Uint8Array): number;
    toBin?(): Uint8Array;
}
type DocumentSequenceClass = new (field: string) => DocumentSequenceLike;
type SectionSequenceClass = new (section: Uint8Array) => DocumentSequenceLike;
/** The driver's DocumentSequence class, or null when this driver version does not have it. */
export declare function documentSequenceClass(): DocumentSequenceClass | null;
/**
 * A DocumentSequence whose bytes are a finished section, or null when this
 * driver does not build its messages from `toBin()` (checked on a one-document
 * message the first time).
 */
export declare function sectionSequenceClass(): SectionSequenceClass | null;
/** One document the server refused. `index` is its position in the batch. */
export interface InsertWriteError {
    index: number;
    code: number;
    message: string;
}
export interface InsertResult {
    inserted: number;
    writeErrors: InsertWriteError[];
}
/** Inserts batches of raw BSON documents into one collection. */
export declare class RawInserter {
    private readonly client;
    readonly db: string;
    readonly collection: string;
    private readonly options;
    private readonly sequenceClass;
    constructor(client: MongoClient, db: string, collection: string, options: {
        ordered: boolean;
        bypassDocumentValidation?: boolean;
        /** Tests only: take the decode/encode path even when the driver could send raw bytes. */
        decoded?: boolean;
    });
    /** False when documents go through a decode/encode round trip (driver without DocumentSequence). */
    get exact(): boolean;
    /**
     * Inserts one batch: separate documents, or an {@link InsertBatch}.
     * Per-document failures (duplicate key, validation) come back in
     * `writeErrors`, indexed by position in the batch; anything that fails the
     * whole command throws.
     */
    insert(documents: Uint8Array[] | InsertBatch): Promise<InsertResult>;
    private sequenceOf;
    private insertRaw;
    private insertDecoded;
}
export {};
