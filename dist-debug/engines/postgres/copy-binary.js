import { StowageError } from '../../errors.js';
/**
 * The binary COPY stream format (PostgreSQL docs, "COPY — Binary Format"):
 *
 *   header:  11-byte signature `PGCOPY\n\377\r\n\0`, int32 flags, int32 extension length, extension
 *   tuple:   int16 field count, then per field int32 length (-1 = NULL) and that many bytes
 *   trailer: int16 -1
 *
 * Field bytes are each type's `typsend` output, the same bytes the extended
 * query protocol uses for binary parameters, which is what lets the INSERT
 * fallback send them back unchanged.
 *
 * {@link BinaryCopyParser} walks that structure as chunks pass, without
 * joining chunks: in counting mode it only reads the 2- and 4-byte headers
 * and skips field bytes, so counting rows costs a few integer reads per field.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_FIXED = SIGNATURE.length + 8;
var State;
(function (State) {
    State[State["Header"] = 0] = "Header";
    State[State["Extension"] = 1] = "Extension";
    State[State["FieldCount"] = 2] = "FieldCount";
    State[State["FieldLength"] = 3] = "FieldLength";
    State[State["FieldData"] = 4] = "FieldData";
    State[State["Done"] = 5] = "Done";
})(State || (State = {}));
export class BinaryCopyParser {
    onTuple;
    label;
    /** Tuples seen so far. */
    rows = 0;
    /** Bytes seen so far. */
    bytes = 0;
    state = State.Header;
    /** Bytes still to skip or collect in Extension / FieldData. */
    remaining = 0;
    fieldsLeft = 0;
    /** Small fixed-size pieces (header, counts, lengths) that straddle chunks. */
    scratch = Buffer.alloc(HEADER_FIXED);
    scratchLen = 0;
    /** Field under construction when it straddles chunks (collect mode). */
    field;
    fieldFilled = 0;
    tuple = [];
    /**
     * @param onTuple when given, every tuple is decoded and passed here (fields may
     *   be views into the input chunk, valid until the caller drops them);
     *   when omitted the parser only counts.
     */
    constructor(onTuple, label = 'COPY data') {
        this.onTuple = onTuple;
        this.label = label;
    }
    /** True once the trailer has been seen. */
    get complete() {
        return this.state === State.Done;
    }
    /** Feeds the next chunk. Throws on malformed data. */
    push(chunk) {
        this.bytes += chunk.length;
        const len = chunk.length;
        let pos = 0;
        while (pos < len) {
            switch (this.state) {
                case State.FieldData: {
                    const n = Math.min(this.remaining, len - pos);
                    if (this.onTuple)
                        this.collect(chunk, pos, n);
                    pos += n;
                    this.remaining -= n;
                    if (this.remaining === 0)
                        this.endField();
                    break;
                }
                case State.FieldLength: {
                    let length;
                    if (this.scratchLen === 0 && len - pos >= 4) {
                        length = chunk.readInt32BE(pos);
                        pos += 4;
                    }
                    else {
                        pos = this.fill(chunk, pos, 4);
                        if (this.scratchLen < 4)
                            break;
                        length = this.scratch.readInt32BE(0);
                        this.scratchLen = 0;
                    }
                    this.startField(length, chunk, pos);
                    if (this.state === State.FieldData && this.onTuple && this.field === undefined) {
                        // Whole field inside this chunk: take a view, no copy.
                        this.tuple.push(chunk.subarray(pos, pos + length));
                        pos += length;
                        this.remaining = 0;
                        this.endField(true);
                    }
                    break;
                }
                case State.FieldCount: {
                    let count;
                    if (this.scratchLen === 0 && len - pos >= 2) {
                        count = chunk.readInt16BE(pos);
                        pos += 2;
                    }
                    else {
                        pos = this.fill(chunk, pos, 2);
                        if (this.scratchLen < 2)
                            break;
                        count = this.scratch.readInt16BE(0);
                        this.scratchLen = 0;
                    }
                    if (count === -1) {
                        this.state = State.Done;
                    }
                    else if (count < 0) {
                        throw this.corrupt(`negative field count ${count}`);
                    }
                    else {
                        this.rows++;
                        this.fieldsLeft = count;
                        if (count === 0)
                            this.emit();
                        else
                            this.state = State.FieldLength;
                    }
                    break;
                }
                case State.Header: {
                    pos = this.fill(chunk, pos, HEADER_FIXED);
                    if (this.scratchLen < HEADER_FIXED)
                        break;
                    if (!this.scratch.subarray(0, SIGNATURE.length).equals(SIGNATURE))
                        throw this.corrupt('bad signature');
                    const extension = this.scratch.readInt32BE(SIGNATURE.length + 4);
                    if (extension < 0)
                        throw this.corrupt('bad header extension length');
                    this.scratchLen = 0;
                    this.remaining = extension;
                    this.state = extension > 0 ? State.Extension : State.FieldCount;
                    break;
                }
                case State.Extension: {
                    const n = Math.min(this.remaining, len - pos);
                    pos += n;
                    this.remaining -= n;
                    if (this.remaining === 0)
                        this.state = State.FieldCount;
                    break;
                }
                case State.Done:
                    throw this.corrupt('data after the end-of-data marker');
            }
        }
    }
    /** Throws unless the stream ended exactly after the trailer. */
    finish() {
        if (this.state !== State.Done)
            throw this.corrupt('stream ended before the end-of-data marker');
    }
    fill(chunk, pos, want) {
        const n = Math.min(want - this.scratchLen, chunk.length - pos);
        chunk.copy(this.scratch, this.scratchLen, pos, pos + n);
        this.scratchLen += n;
        return pos + n;
    }
    startField(length, chunk, pos) {
        if (length === -1) {
            if (this.onTuple)
                this.tuple.push(null);
            this.fieldDone();
            return;
        }
        if (length < 0)
            throw this.corrupt(`bad field length ${length}`);
        this.remaining = length;
        this.state = State.FieldData;
        if (this.onTuple) {
            if (chunk.length - pos >= length) {
                this.field = undefined; // caller takes a view
            }
            else {
                this.field = Buffer.allocUnsafe(length);
                this.fieldFilled = 0;
            }
        }
        else if (length === 0) {
            this.fieldDone();
        }
    }
    collect(chunk, pos, n) {
        if (!this.field)
            return;
        chunk.copy(this.field, this.fieldFilled, pos, pos + n);
        this.fieldFilled += n;
    }
    endField(viewTaken = false) {
        if (this.onTuple && !viewTaken && this.field) {
            this.tuple.push(this.field);
            this.field = undefined;
        }
        this.fieldDone();
    }
    fieldDone() {
        this.fieldsLeft--;
        if (this.fieldsLeft === 0)
            this.emit();
        else
            this.state = State.FieldLength;
    }
    emit() {
        this.state = State.FieldCount;
        if (this.onTuple) {
            const tuple = this.tuple;
            this.tuple = [];
            this.onTuple(tuple);
        }
    }
    corrupt(detail) {
        return new StowageError('pg-bad-copy-data', `malformed binary COPY data in ${this.label} near byte ${this.bytes}: ${detail}`, 'the archive stream is damaged or was not written by stowage');
    }
}
//# sourceMappingURL=copy-binary.js.map