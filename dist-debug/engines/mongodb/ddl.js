import { MongoServerError } from 'mongodb';
import { MongoCodes } from './mongo-errors.js';
import { fromEjson } from './schema.js';
/**
 * Rebuilding collections, indexes and views on restore from what the backup
 * recorded. Options and index specs are passed back to the server as they
 * were reported, with their exact BSON types; only fields that describe the
 * old collection rather than configure a new one are dropped.
 */
/** Creates a collection (or time series collection) with its original options. */
export async function createCollection(client, db, name, options) {
    const decoded = fromEjson(options);
    await client.db(db).command({ create: name, ...decoded });
}
/** Creates a view (`viewOn`, `pipeline`, optional `collation`). */
export async function createView(client, db, name, options) {
    const decoded = fromEjson(options);
    await client.db(db).command({ create: name, ...decoded });
}
/**
 * Index specs to build: all but `_id_` (made with the collection) and a
 * clustered collection's clustered index (made from `clusteredIndex`). `ns`,
 * reported by old servers, is refused by new ones. The index format version
 * `v` is passed on only when it is not 2, the default of every supported
 * server: it then still rebuilds a `v: 1` index as `v: 1`, while servers
 * that refuse the field (FerretDB) get specs they accept.
 */
export function indexesToBuild(specs) {
    return specs
        .map((spec) => fromEjson(spec))
        .filter((spec) => spec.name !== '_id_' && spec.clustered !== true)
        .map(({ ns: _ns, ...rest }) => {
        if (rest.v !== undefined && Number(rest.v) === 2)
            delete rest.v;
        return rest;
    });
}
/** Builds the indexes in one createIndexes command (the server builds them in one pass over the data). */
export async function createIndexes(client, db, collection, specs) {
    if (specs.length === 0)
        return;
    await client.db(db).command({ createIndexes: collection, indexes: specs });
}
/** Drops a collection or view; a missing one is fine. */
export async function dropNamespace(client, db, name) {
    try {
        await client.db(db).command({ drop: name });
    }
    catch (error) {
        if (error instanceof MongoServerError && error.code === MongoCodes.NamespaceNotFound)
            return;
        if (error instanceof MongoServerError && /ns not found|not found/i.test(error.message))
            return;
        throw error;
    }
}
/**
 * Orders views so each comes after the view it is defined on (views can be
 * built on views). Views whose source is outside the set keep their place.
 */
export function orderViews(views) {
    const byName = new Map(views.map((v) => [v.name, v]));
    const done = new Set();
    const out = [];
    const visit = (view, path) => {
        if (done.has(view.name))
            return;
        if (path.has(view.name))
            return; // a cycle cannot exist on a real server; do not loop on a corrupt schema
        path.add(view.name);
        const source = byName.get(view.viewOn);
        if (source)
            visit(source, path);
        done.add(view.name);
        out.push(view);
    };
    for (const view of views)
        visit(view, new Set());
    return out;
}
//# sourceMappingURL=ddl.js.map