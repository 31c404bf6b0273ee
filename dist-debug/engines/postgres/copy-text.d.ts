/**
 * The text COPY format, used only for tables whose column types cannot travel
 * in binary COPY between databases (see `data-format.ts`). One row per line;
 * fields separated by tabs; `\N` is NULL; backslash escapes for tab, newline,
 * carriage return, backslash and friends. Newlines inside values are always
 * escaped, so counting `\n` bytes counts rows.
 */
/** Counts rows and, when `onRow` is given, splits and unescapes them into strings. */
export declare class TextCopyParser {
    private readonly onRow?;
    rows: number;
    bytes: number;
    /** Start of a line that straddles chunks (collect mode only). */
    private carry;
    private endsWithNewline;
    constructor(onRow?: ((fields: (string | null)[]) => void) | undefined);
    push(chunk: Buffer): void;
    /** Throws if the data ended in the middle of a row. */
    finish(label: string): void;
}
/** Splits one COPY text line into fields, undoing the escapes COPY TO writes. */
export declare function parseTextRow(line: string): (string | null)[];
