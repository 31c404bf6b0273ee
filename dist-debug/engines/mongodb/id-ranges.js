/**
 * Splitting one large collection into `_id` ranges so several workers can read
 * it at once.
 *
 * Ranges are `[b_i, b_{i+1})` over sorted boundary values, and the first range
 * is "not ≥ b_1" rather than "< b_1": MongoDB compares values of different
 * BSON types by type order and `$lt`/`$gte` only match within a type bracket,
 * so `{$not: {$gte: b_1}}` is what also catches `_id`s of other types (and
 * documents missing from every bracket). Every document therefore lands in
 * exactly one range, whatever its `_id` type and the collection's collation.
 */
/** `_id` types that are safe and common enough to split on. */
const SPLITTABLE_TYPES = new Set([
    'ObjectId',
    'Int32',
    'Double',
    'Long',
    'string',
    'number',
    'bigint',
    'Date',
]);
function typeNameOf(value) {
    if (value === null || value === undefined)
        return 'null';
    if (typeof value !== 'object')
        return typeof value;
    if (value instanceof Date)
        return 'Date';
    const bsontype = value._bsontype;
    return bsontype ?? 'object';
}
/**
 * Query filters for `parts` slices of a collection, or `[{}]` when it cannot
 * be split (too few documents, unsplittable `_id` types, server refuses).
 * Boundaries come from `$sample` where the server has it, else from skips
 * along the `_id` index.
 */
export async function planIdRanges(client, db, collection, parts, estimatedDocuments) {
    if (parts < 2 || estimatedDocuments < parts * 2)
        return [{}];
    let boundaries;
    try {
        boundaries = await sampleBoundaries(client, db, collection, parts);
    }
    catch {
        try {
            boundaries = await skipBoundaries(client, db, collection, parts, estimatedDocuments);
        }
        catch {
            return [{}];
        }
    }
    if (boundaries.length === 0)
        return [{}];
    const kinds = new Set(boundaries.map(typeNameOf));
    if (kinds.size !== 1 || !SPLITTABLE_TYPES.has([...kinds][0]))
        return [{}];
    return rangesFromBoundaries(boundaries);
}
/** Builds the range filters from sorted, distinct boundary values. */
export function rangesFromBoundaries(boundaries) {
    const ranges = [{ _id: { $not: { $gte: boundaries[0] } } }];
    for (let i = 0; i < boundaries.length; i++) {
        const next = boundaries[i + 1];
        ranges.push(next === undefined ? { _id: { $gte: boundaries[i] } } : { _id: { $gte: boundaries[i], $lt: next } });
    }
    return ranges;
}
/** Random sample of `_id`s, sorted server-side, then cut at evenly spaced ranks. */
async function sampleBoundaries(client, db, collection, parts) {
    const sampleSize = Math.min(1000, parts * 100);
    const ids = await client
        .db(db)
        .collection(collection)
        .aggregate([{ $sample: { size: sampleSize } }, { $project: { _id: 1 } }, { $sort: { _id: 1 } }], {
        allowDiskUse: true,
    })
        .toArray();
    return pickEvenly(ids.map((d) => d._id), parts);
}
/** Exact quantiles by skipping along the `_id` index (slower; for servers without `$sample`). */
async function skipBoundaries(client, db, collection, parts, total) {
    const coll = client.db(db).collection(collection);
    const out = [];
    for (let i = 1; i < parts; i++) {
        const [doc] = await coll
            .find({}, { projection: { _id: 1 } })
            .sort({ _id: 1 })
            .skip(Math.floor((total * i) / parts))
            .limit(1)
            .toArray();
        if (doc)
            out.push(doc._id);
    }
    return dedupeSorted(out);
}
function pickEvenly(sortedIds, parts) {
    if (sortedIds.length < parts)
        return [];
    const out = [];
    for (let i = 1; i < parts; i++)
        out.push(sortedIds[Math.floor((sortedIds.length * i) / parts)]);
    return dedupeSorted(out);
}
/** Drops repeated boundaries (an empty range is harmless, but pointless). */
function dedupeSorted(values) {
    const seen = new Set();
    return values.filter((v) => {
        const key = `${typeNameOf(v)}:${String(v instanceof Date ? v.getTime() : v.toString())}`;
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
}
//# sourceMappingURL=id-ranges.js.map