/** One decoded tuple: field bytes (binary send format) or null. */
export type BinaryTuple = (Buffer | null)[];
export declare class BinaryCopyParser {
    private readonly onTuple?;
    private readonly label;
    /** Tuples seen so far. */
    rows: number;
    /** Bytes seen so far. */
    bytes: number;
    private state;
    /** Bytes still to skip or collect in Extension / FieldData. */
    private remaining;
    private fieldsLeft;
    /** Small fixed-size pieces (header, counts, lengths) that straddle chunks. */
    private readonly scratch;
    private scratchLen;
    /** Field under construction when it straddles chunks (collect mode). */
    private field;
    private fieldFilled;
    private tuple;
    /**
     * @param onTuple when given, every tuple is decoded and passed here (fields may
     *   be views into the input chunk, valid until the caller drops them);
     *   when omitted the parser only counts.
     */
    constructor(onTuple?: ((tuple: BinaryTuple) => void) | undefined, label?: string);
    /** True once the trailer has been seen. */
    get complete(): boolean;
    /** Feeds the next chunk. Throws on malformed data. */
    push(chunk: Buffer): void;
    /** Throws unless the stream ended exactly after the trailer. */
    finish(): void;
    private fill;
    private startField;
    private collect;
    private endField;
    private fieldDone;
    private emit;
    private corrupt;
}
