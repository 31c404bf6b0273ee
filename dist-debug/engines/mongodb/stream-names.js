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
export const OPLOG_STREAM = '$oplog';
/** The namespace a stream holds (a slice of): `shop.orders$2` and `shop.orders$1~1` are `shop.orders`. */
export function namespaceOfStream(stream) {
    return stream.replace(/\$\d+(~\d+)?$/, '');
}
/** Hands out unique stream names. */
export class StreamNamer {
    used = new Set([OPLOG_STREAM]);
    /** The name for slice `part` (0-based) of `namespace`. */
    next(namespace, part = 0) {
        let name = part === 0 ? namespace : `${namespace}$${part}`;
        for (let n = 1; this.used.has(name); n++)
            name = `${namespace}$${part}~${n}`;
        this.used.add(name);
        return name;
    }
}
//# sourceMappingURL=stream-names.js.map