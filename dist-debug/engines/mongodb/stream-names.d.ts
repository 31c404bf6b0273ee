/**
 * Names of the archive streams the MongoDB engine writes.
 *
 * A collection's documents go to a stream named after its namespace
 * (`shop.orders`); when the dump is split across workers the further slices
 * are `shop.orders$1`, `shop.orders$2`, … The oplog is `$oplog`. `$` cannot
 * appear in database or user collection names, so these never collide with a
 * namespace; the schema maps streams to collections explicitly anyway, and
 * {@link StreamNamer} guarantees uniqueness regardless.
 */
export declare const OPLOG_STREAM = "$oplog";
/** The namespace a stream holds (a slice of): `shop.orders$2` and `shop.orders$1~1` are `shop.orders`. */
export declare function namespaceOfStream(stream: string): string;
/** Hands out unique stream names. */
export declare class StreamNamer {
    private readonly used;
    /** The name for slice `part` (0-based) of `namespace`. */
    next(namespace: string, part?: number): string;
}
