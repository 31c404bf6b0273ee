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
/** Payload type 1 of OP_MSG: a document sequence. */
const SECTION_KIND = 1;
const FIELD = 'documents\0';
/** Bytes before the first document: kind byte, int32 size, field name. */
export const SECTION_HEADER_BYTES = 1 + 4 + FIELD.length;
export class InsertBatch {
    capacity;
    buffer;
    end = SECTION_HEADER_BYTES;
    /** Documents in the batch. */
    count = 0;
    /** @param capacity - bytes of documents the batch can hold. */
    constructor(capacity) {
        this.capacity = capacity;
        // Slow (unpooled) memory: the batch owns its buffer outright and lives as long as the restore.
        this.buffer = Buffer.allocUnsafeSlow(SECTION_HEADER_BYTES + capacity);
        this.buffer[0] = SECTION_KIND;
        this.buffer.write(FIELD, 5, 'latin1');
    }
    /** Bytes of documents in the batch. */
    get bytes() {
        return this.end - SECTION_HEADER_BYTES;
    }
    /** True when a document of `length` bytes still fits. */
    fits(length) {
        return this.end + length <= this.buffer.length;
    }
    /** Copies one BSON document in. The caller checks {@link fits} first. */
    append(document) {
        if (!this.fits(document.length))
            throw new RangeError('document does not fit the insert batch');
        this.buffer.set(document, this.end);
        this.end += document.length;
        this.count++;
    }
    /** The documents, back to back (a view, valid until the batch is cleared). */
    get documents() {
        return this.buffer.subarray(SECTION_HEADER_BYTES, this.end);
    }
    /** The whole document sequence section, with its size written (a view, valid until the batch is cleared). */
    section() {
        this.buffer.writeInt32LE(this.end - 1, 1);
        return this.buffer.subarray(0, this.end);
    }
    /** Empties the batch for reuse. */
    clear() {
        this.end = SECTION_HEADER_BYTES;
        this.count = 0;
    }
}
//# sourceMappingURL=insert-batch.js.map