import { type Document, type MongoClient } from 'mongodb';
import { type EjsonDocument } from './schema.js';
/**
 * Rebuilding collections, indexes and views on restore from what the backup
 * recorded. Options and index specs are passed back to the server as they
 * were reported, with their exact BSON types; only fields that describe the
 * old collection rather than configure a new one are dropped.
 */
/** Creates a collection (or time series collection) with its original options. */
export declare function createCollection(client: MongoClient, db: string, name: string, options: EjsonDocument): Promise<void>;
/** Creates a view (`viewOn`, `pipeline`, optional `collation`). */
export declare function createView(client: MongoClient, db: string, name: string, options: EjsonDocument): Promise<void>;
/**
 * Index specs to build: all but `_id_` (made with the collection) and a
 * clustered collection's clustered index (made from `clusteredIndex`). `ns`,
 * reported by old servers, is refused by new ones. The index format version
 * `v` is passed on only when it is not 2, the default of every supported
 * server: it then still rebuilds a `v: 1` index as `v: 1`, while servers
 * that refuse the field (FerretDB) get specs they accept.
 */
export declare function indexesToBuild(specs: EjsonDocument[]): Document[];
/** Builds the indexes in one createIndexes command (the server builds them in one pass over the data). */
export declare function createIndexes(client: MongoClient, db: string, collection: string, specs: Document[]): Promise<void>;
/** Drops a collection or view; a missing one is fine. */
export declare function dropNamespace(client: MongoClient, db: string, name: string): Promise<void>;
/**
 * Orders views so each comes after the view it is defined on (views can be
 * built on views). Views whose source is outside the set keep their place.
 */
export declare function orderViews<T extends {
    name: string;
    viewOn: string;
}>(views: T[]): T[];
