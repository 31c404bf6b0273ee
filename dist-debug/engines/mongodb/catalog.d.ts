import type { MongoClient } from 'mongodb';
import type { NamespaceFilter } from './namespace-filter.js';
import { type EjsonDocument } from './schema.js';
/**
 * Reading what a backup has to capture: databases, collections with their
 * options, views and indexes. Values are read with exact BSON types and turned
 * into canonical Extended JSON for the manifest.
 */
/** Databases never backed up by default: server-internal state. */
export declare const INTERNAL_DATABASES: Set<string>;
/** One collection found on the server, before any data is read. */
export interface CatalogCollection {
    db: string;
    name: string;
    type: 'collection' | 'timeseries';
    options: EjsonDocument;
    indexes: EjsonDocument[];
    /** The collection documents are read from: itself, or `system.buckets.<name>` for time series. */
    readFrom: string;
    source: 'documents' | 'buckets';
    /** The collection's UUID (hex) when the server reports one: tells a dropped-and-recreated collection apart. */
    uuid?: string;
    /** From collStats when available: estimated documents and data bytes, for planning and ETA. */
    estimatedDocuments?: number;
    estimatedBytes?: number;
}
export interface CatalogView {
    db: string;
    name: string;
    options: EjsonDocument;
}
export interface Catalog {
    databases: string[];
    collections: CatalogCollection[];
    views: CatalogView[];
}
/** Which databases to back up: given names (checked to exist), the URL's, or every non-internal one. */
export declare function resolveDatabases(client: MongoClient, requested: string[] | undefined, urlDatabase: string | undefined): Promise<string[]>;
/** Everything to back up in the given databases, filtered by namespace patterns. */
export declare function readCatalog(client: MongoClient, databases: string[], filter: NamespaceFilter): Promise<Catalog>;
/**
 * Whether a collection still exists as the same collection (same UUID where
 * the server has UUIDs). Checked after each collection is read, because not
 * every server fails a cursor whose collection is dropped: FerretDB ends it
 * early as if the data had run out.
 */
export declare function collectionUnchanged(client: MongoClient, collection: CatalogCollection): Promise<boolean>;
/**
 * `admin.system.users` and `admin.system.roles`, read only when the user asks
 * for users and roles (they hold password hashes).
 */
export declare const AUTH_COLLECTIONS: {
    readonly users: 'system.users';
    readonly roles: 'system.roles';
};
