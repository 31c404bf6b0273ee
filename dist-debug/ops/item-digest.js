import { createHash } from 'node:crypto';
const PGCOPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Picks the format from the engine and the stream's first bytes. */
export function detectItemFormat(engine, head) {
    if (engine === 'mongodb')
        return 'bson';
    return head.subarray(0, PGCOPY_SIGNATURE.length).equals(PGCOPY_SIGNATURE) ? 'pgcopy-binary' : 'pgcopy-text';
}
/**
 * The sum, lane by lane (8 × 32 bits), of every item's SHA-256: the same for
 * the same items in any order, different when any item differs, is missing or
 * is duplicated.
 */
export class MultisetDigest {
    lanes = new Uint32Array(8);
    count = 0;
    add(item) {
        const h = createHash('sha256').update(item).digest();
        for (let i = 0; i < 8; i++)
            this.lanes[i] = (this.lanes[i] + h.readUInt32LE(i * 4)) >>> 0;
        this.count++;
    }
    merge(other) {
        for (let i = 0; i < 8; i++)
            this.lanes[i] = (this.lanes[i] + other.lanes[i]) >>> 0;
        this.count += other.count;
    }
    hex() {
        return Buffer.from(this.lanes.buffer, this.lanes.byteOffset, this.lanes.byteLength).toString('hex');
    }
}
/**
 * Splits a stream into items incrementally and feeds them to a digest. The
 * format is detected from the first bytes unless given.
 */
export class ItemSplitter {
    engine;
    digest;
    rest = Buffer.alloc(0);
    format;
    headerDone = false;
    ended = false;
    constructor(engine, digest = new MultisetDigest()) {
        this.engine = engine;
        this.digest = digest;
    }
    push(chunk) {
        const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
        if (!this.format) {
            // Enough bytes to tell binary COPY from text (or a stream that is shorter than the signature).
            if (this.engine === 'postgres' && buf.length < PGCOPY_SIGNATURE.length) {
                this.rest = Buffer.from(buf);
                return;
            }
            this.format = detectItemFormat(this.engine, buf);
        }
        const used = this.parse(buf);
        this.rest = used < buf.length ? Buffer.from(buf.subarray(used)) : Buffer.alloc(0);
    }
    /** Ends the stream; returns a problem when bytes were left that form no whole item. */
    end() {
        if (!this.format && this.rest.length)
            this.format = detectItemFormat(this.engine, this.rest);
        if (this.format === 'pgcopy-text' && this.rest.length) {
            // A last line without its newline.
            this.digest.add(this.rest);
            this.rest = Buffer.alloc(0);
        }
        return this.rest.length
            ? `${this.rest.length} trailing bytes form no whole ${this.format} item`
            : undefined;
    }
    parse(buf) {
        switch (this.format) {
            case 'bson':
                return this.parseBson(buf);
            case 'pgcopy-binary':
                return this.parsePgBinary(buf);
            default:
                return this.parseText(buf);
        }
    }
    parseBson(buf) {
        let at = 0;
        while (buf.length - at >= 4) {
            const len = buf.readInt32LE(at);
            if (len < 5)
                throw new Error(`invalid BSON document length ${len}`);
            if (buf.length - at < len)
                break;
            this.digest.add(buf.subarray(at, at + len));
            at += len;
        }
        return at;
    }
    parseText(buf) {
        let at = 0;
        for (;;) {
            const nl = buf.indexOf(0x0a, at);
            if (nl < 0)
                return at;
            // COPY text escapes newlines inside values, so a raw newline always ends a row.
            this.digest.add(buf.subarray(at, nl + 1));
            at = nl + 1;
        }
    }
    parsePgBinary(buf) {
        let at = 0;
        if (!this.headerDone) {
            const fixed = PGCOPY_SIGNATURE.length + 8;
            if (buf.length < fixed)
                return 0;
            const extension = buf.readUInt32BE(PGCOPY_SIGNATURE.length + 4);
            if (buf.length < fixed + extension)
                return 0;
            at = fixed + extension;
            this.headerDone = true;
        }
        while (!this.ended && buf.length - at >= 2) {
            const fields = buf.readInt16BE(at);
            if (fields === -1) {
                this.ended = true;
                return at + 2;
            }
            let p = at + 2;
            let complete = true;
            for (let f = 0; f < fields; f++) {
                if (buf.length - p < 4) {
                    complete = false;
                    break;
                }
                const len = buf.readInt32BE(p);
                p += 4;
                if (len > 0) {
                    if (buf.length - p < len) {
                        complete = false;
                        break;
                    }
                    p += len;
                }
            }
            if (!complete)
                break;
            this.digest.add(buf.subarray(at, p));
            at = p;
        }
        return at;
    }
}
//# sourceMappingURL=item-digest.js.map