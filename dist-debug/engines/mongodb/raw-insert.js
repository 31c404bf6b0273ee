import { createRequire } from 'node:module';
import { BSON, MongoBulkWriteError } from 'mongodb';
import { StowageError } from '../../errors.js';
import { EXACT_BSON_OPTIONS } from './schema.js';
let cachedCommands;
let cachedSequenceClass;
let cachedSectionClass;
function driverCommands() {
    if (cachedCommands !== undefined)
        return cachedCommands;
    try {
        // Resolved next to the driver the rest of the code uses, so `instanceof` checks inside it hold.
        const require = createRequire(import.meta.url);
        cachedCommands = require('mongodb/lib/cmap/commands.js');
    }
    catch {
        cachedCommands = null;
    }
    return cachedCommands;
}
/** The driver's DocumentSequence class, or null when this driver version does not have it. */
export function documentSequenceClass() {
    if (cachedSequenceClass !== undefined)
        return cachedSequenceClass;
    const candidate = driverCommands()?.DocumentSequence;
    cachedSequenceClass =
        typeof candidate === 'function' && typeof candidate.prototype?.push === 'function' ? candidate : null;
    return cachedSequenceClass;
}
/**
 * A DocumentSequence whose bytes are a finished section, or null when this
 * driver does not build its messages from `toBin()` (checked on a one-document
 * message the first time).
 */
export function sectionSequenceClass() {
    if (cachedSectionClass !== undefined)
        return cachedSectionClass;
    cachedSectionClass = null;
    const Base = documentSequenceClass();
    const OpMsgRequest = driverCommands()?.OpMsgRequest;
    if (!Base || typeof Base.prototype.toBin !== 'function' || typeof OpMsgRequest !== 'function')
        return null;
    class SectionSequence extends Base {
        section;
        constructor(section) {
            super('documents');
            this.section = section;
        }
        toBin() {
            return this.section;
        }
    }
    try {
        // `documents` section holding one empty document, `{}`.
        const probe = Buffer.from([1, 19, 0, 0, 0, ...Buffer.from('documents\0', 'latin1'), 5, 0, 0, 0, 0]);
        const message = Buffer.concat(new OpMsgRequest('probe', { insert: 'probe', documents: new SectionSequence(probe) }, {}).toBin());
        if (message.subarray(message.length - probe.length).equals(probe))
            cachedSectionClass = SectionSequence;
    }
    catch {
        // Leave it null: batches then go through `push`.
    }
    return cachedSectionClass;
}
/** Cuts a buffer of back-to-back BSON documents at their length prefixes. */
function splitConcatenated(bytes) {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = [];
    for (let pos = 0; pos < view.length;) {
        const length = view.readInt32LE(pos);
        out.push(view.subarray(pos, pos + length));
        pos += length;
    }
    return out;
}
/** Inserts batches of raw BSON documents into one collection. */
export class RawInserter {
    client;
    db;
    collection;
    options;
    sequenceClass;
    constructor(client, db, collection, options) {
        this.client = client;
        this.db = db;
        this.collection = collection;
        this.options = options;
        this.sequenceClass = options.decoded ? null : documentSequenceClass();
    }
    /** False when documents go through a decode/encode round trip (driver without DocumentSequence). */
    get exact() {
        return this.sequenceClass !== null;
    }
    /**
     * Inserts one batch: separate documents, or an {@link InsertBatch}.
     * Per-document failures (duplicate key, validation) come back in
     * `writeErrors`, indexed by position in the batch; anything that fails the
     * whole command throws.
     */
    async insert(documents) {
        const count = Array.isArray(documents) ? documents.length : documents.count;
        if (count === 0)
            return { inserted: 0, writeErrors: [] };
        if (!this.sequenceClass) {
            return this.insertDecoded(Array.isArray(documents) ? documents : splitConcatenated(documents.documents));
        }
        const result = await this.insertRaw(this.sequenceOf(documents, this.sequenceClass));
        // The server accounts for every document it was sent: inserted or refused
        // (an ordered insert stops at its first refusal). Anything else means the
        // bytes on the wire were not the batch, and must not pass as a restore.
        const accounted = result.inserted + result.writeErrors.length;
        if (this.options.ordered ? accounted > count : accounted !== count) {
            throw new StowageError('mongo-insert-mismatch', `the server accounted for ${accounted} of ${count} documents sent to ${this.db}.${this.collection}`, 'this MongoDB driver version does not send raw batches as expected; install the driver version Stowage was tested with');
        }
        return result;
    }
    sequenceOf(documents, Sequence) {
        let pieces;
        if (Array.isArray(documents)) {
            pieces = documents;
        }
        else {
            const Section = sectionSequenceClass();
            if (Section)
                return new Section(documents.section());
            pieces = [documents.documents];
        }
        const sequence = new Sequence('documents');
        // The first argument is only kept for command monitoring; the bytes are what
        // is sent. A document sequence section is nothing but BSON documents back to
        // back, so a run of several documents can go in as one piece.
        for (const piece of pieces)
            sequence.push({}, piece);
        return sequence;
    }
    async insertRaw(sequence) {
        const command = { insert: this.collection, documents: sequence, ordered: this.options.ordered };
        if (this.options.bypassDocumentValidation)
            command.bypassDocumentValidation = true;
        const reply = await this.client.db(this.db).command(command);
        return {
            inserted: Number(reply.n ?? 0),
            writeErrors: (reply.writeErrors ?? []).map((e) => ({
                index: Number(e.index),
                code: Number(e.code),
                message: String(e.errmsg ?? ''),
            })),
        };
    }
    async insertDecoded(documents) {
        const decoded = documents.map((d) => BSON.deserialize(d, EXACT_BSON_OPTIONS));
        try {
            const result = await this.client
                .db(this.db)
                .collection(this.collection)
                .insertMany(decoded, {
                ordered: this.options.ordered,
                // Never add an _id the backup did not have, never drop `undefined` values.
                forceServerObjectId: true,
                ignoreUndefined: false,
                checkKeys: false,
                ...(this.options.bypassDocumentValidation ? { bypassDocumentValidation: true } : {}),
            });
            return { inserted: result.insertedCount, writeErrors: [] };
        }
        catch (error) {
            if (!(error instanceof MongoBulkWriteError))
                throw error;
            const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
            return {
                inserted: error.result.insertedCount,
                writeErrors: errors.map((e) => ({ index: e.index, code: Number(e.code), message: e.errmsg ?? '' })),
            };
        }
    }
}
//# sourceMappingURL=raw-insert.js.map