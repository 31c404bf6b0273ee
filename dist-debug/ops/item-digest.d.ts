/**
 * Order-independent content digests of engine streams, for comparing a
 * restored database with its archive. A restore may write rows or documents
 * in a different order (parallel, unordered batches), so the stream's SHA-256
 * can legitimately differ; the multiset of items cannot. The stream is split
 * into items by its format, each item hashed, and the hashes added up.
 */
/** Stream formats whose item boundaries can be found without an engine. */
export type ItemFormat = 'bson' | 'pgcopy-binary' | 'pgcopy-text';
/** Picks the format from the engine and the stream's first bytes. */
export declare function detectItemFormat(engine: 'postgres' | 'mongodb', head: Buffer): ItemFormat;
/**
 * The sum, lane by lane (8 × 32 bits), of every item's SHA-256: the same for
 * the same items in any order, different when any item differs, is missing or
 * is duplicated.
 */
export declare class MultisetDigest {
    private readonly lanes;
    count: number;
    add(item: Buffer): void;
    merge(other: MultisetDigest): void;
    hex(): string;
}
/**
 * Splits a stream into items incrementally and feeds them to a digest. The
 * format is detected from the first bytes unless given.
 */
export declare class ItemSplitter {
    private readonly engine;
    readonly digest: MultisetDigest;
    private rest;
    private format;
    private headerDone;
    private ended;
    constructor(engine: 'postgres' | 'mongodb', digest?: MultisetDigest);
    push(chunk: Buffer): void;
    /** Ends the stream; returns a problem when bytes were left that form no whole item. */
    end(): string | undefined;
    private parse;
    private parseBson;
    private parseText;
    private parsePgBinary;
}
