import { StowageError } from '../../errors.js';
/**
 * The text COPY format, used only for tables whose column types cannot travel
 * in binary COPY between databases (see `data-format.ts`). One row per line;
 * fields separated by tabs; `\N` is NULL; backslash escapes for tab, newline,
 * carriage return, backslash and friends. Newlines inside values are always
 * escaped, so counting `\n` bytes counts rows.
 */
/** Counts rows and, when `onRow` is given, splits and unescapes them into strings. */
export class TextCopyParser {
    onRow;
    rows = 0;
    bytes = 0;
    /** Start of a line that straddles chunks (collect mode only). */
    carry = [];
    endsWithNewline = true;
    constructor(onRow) {
        this.onRow = onRow;
    }
    push(chunk) {
        if (chunk.length === 0)
            return;
        this.bytes += chunk.length;
        let start = 0;
        let nl = chunk.indexOf(0x0a, start);
        while (nl !== -1) {
            this.rows++;
            if (this.onRow) {
                let line = chunk.subarray(start, nl);
                if (this.carry.length) {
                    line = Buffer.concat([...this.carry, line]);
                    this.carry = [];
                }
                this.onRow(parseTextRow(line.toString('utf8')));
            }
            start = nl + 1;
            nl = chunk.indexOf(0x0a, start);
        }
        if (this.onRow && start < chunk.length)
            this.carry.push(chunk.subarray(start));
        this.endsWithNewline = chunk[chunk.length - 1] === 0x0a;
    }
    /** Throws if the data ended in the middle of a row. */
    finish(label) {
        if (!this.endsWithNewline) {
            throw new StowageError('pg-bad-copy-data', `malformed text COPY data in ${label}: the last row is incomplete`, 'the archive stream is damaged or was not written by stowage');
        }
    }
}
const ESCAPES = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
/** Splits one COPY text line into fields, undoing the escapes COPY TO writes. */
export function parseTextRow(line) {
    return line.split('\t').map((field) => {
        if (field === '\\N')
            return null;
        if (!field.includes('\\'))
            return field;
        return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, esc) => {
            if (esc[0] === 'x' && esc.length > 1)
                return String.fromCharCode(Number.parseInt(esc.slice(1), 16));
            if (/^[0-7]/.test(esc))
                return String.fromCharCode(Number.parseInt(esc, 8));
            return ESCAPES[esc] ?? esc;
        });
    });
}
//# sourceMappingURL=copy-text.js.map