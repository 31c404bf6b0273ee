/**
 * One insert batch, held as the bytes the wire protocol wants.
 *
 * An OP_MSG `insert` carries its documents in a "document sequence" section:
 * a payload-type byte (1), an int32 section size, the field name
 * `documents\0`, then the documents back to back. A batch keeps exactly that
 * layout in a buffer it owns, so the driver can take the section as it is
 * instead of concatenating it from pieces, and the archive frames the
 * documents were cut from are not kept alive by the batch: documents are
 * copied in once, the frame can go as soon as the splitter has passed it.
 *
 * Batches are reused (see {@link BatchPool}): the buffer is allocated once
 * and filled again after each insert, so a restore's batches cost no garbage.
 */
/** Bytes before the first document: kind byte, int32 size, field name. */
export declare const SECTION_HEADER_BYTES: number;
export declare class InsertBatch {
    readonly capacity: number;
    private readonly buffer;
    private end;
    /** Documents in the batch. */
    count: number;
    /** @param capacity - bytes of documents the batch can hold. */
    constructor(capacity: number);
    /** Bytes of documents in the batch. */
    get bytes(): number;
    /** True when a document of `length` bytes still fits. */
    fits(length: number): boolean;
    /** Copies one BSON document in. The caller checks {@link fits} first. */
    append(document: Uint8Array): void;
    /** The documents, back to back (a view, valid until the batch is cleared). */
    get documents(): Buffer;
    /** The whole document sequence section, with its size written (a view, valid until the batch is cleared). */
    section(): Buffer;
    /** Empties the batch for reuse. */
    clear(): void;
}
