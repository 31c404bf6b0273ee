/** The identity of a catalog row, as used in {@link CatalogObject.keys}. */
export function catalogKey(catalog, oid) {
    return `${catalog}:${oid}`;
}
/** A query's rows, typed. */
export async function rows(ctx, sql, params) {
    return (await ctx.session.query(sql, params, 'reading the schema')).rows;
}
//# sourceMappingURL=context.js.map