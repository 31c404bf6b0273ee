import type { Document } from 'mongodb';
import { z } from 'zod';
/**
 * The MongoDB engine's schema section: everything besides documents that a
 * restore needs to rebuild the databases. It is stored in the archive's JSON
 * manifest, so BSON values (validators, partial filters, collations, index
 * keys, view pipelines) are kept as canonical Extended JSON, which preserves
 * their exact types (an Int32 stays an Int32, a Double a Double, a regex its
 * flags) where plain JSON would not.
 */
/** Canonical Extended JSON of a BSON document (a JSON object). */
export type EjsonDocument = Record<string, unknown>;
declare const collectionSchema: z.ZodObject<{
    name: z.ZodString;
    type: z.ZodEnum<{
        collection: "collection";
        timeseries: "timeseries";
    }>;
    options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
    indexes: z.ZodArray<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
    streams: z.ZodArray<z.ZodString>;
    documents: z.ZodNumber;
    source: z.ZodEnum<{
        buckets: "buckets";
        documents: "documents";
    }>;
}, z.core.$strip>;
declare const viewSchema: z.ZodObject<{
    name: z.ZodString;
    options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
}, z.core.$strip>;
declare const databaseSchema: z.ZodObject<{
    name: z.ZodString;
    collections: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        type: z.ZodEnum<{
            collection: "collection";
            timeseries: "timeseries";
        }>;
        options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
        indexes: z.ZodArray<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
        streams: z.ZodArray<z.ZodString>;
        documents: z.ZodNumber;
        source: z.ZodEnum<{
            buckets: "buckets";
            documents: "documents";
        }>;
    }, z.core.$strip>>;
    views: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
    }, z.core.$strip>>;
}, z.core.$strip>;
/** Version 1 of the MongoDB schema section. */
export declare const mongoSchemaV1: z.ZodObject<{
    engine: z.ZodLiteral<"mongodb">;
    version: z.ZodLiteral<1>;
    server: z.ZodObject<{
        version: z.ZodString;
        topology: z.ZodEnum<{
            replicaSet: "replicaSet";
            sharded: "sharded";
            standalone: "standalone";
        }>;
        ferretdb: z.ZodOptional<z.ZodString>;
    }, z.core.$strip>;
    databases: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        collections: z.ZodArray<z.ZodObject<{
            name: z.ZodString;
            type: z.ZodEnum<{
                collection: "collection";
                timeseries: "timeseries";
            }>;
            options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
            indexes: z.ZodArray<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
            streams: z.ZodArray<z.ZodString>;
            documents: z.ZodNumber;
            source: z.ZodEnum<{
                buckets: "buckets";
                documents: "documents";
            }>;
        }, z.core.$strip>>;
        views: z.ZodArray<z.ZodObject<{
            name: z.ZodString;
            options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
        }, z.core.$strip>>;
    }, z.core.$strip>>;
    oplog: z.ZodOptional<z.ZodObject<{
        stream: z.ZodString;
        entries: z.ZodNumber;
        start: z.ZodRecord<z.ZodString, z.ZodUnknown>;
        end: z.ZodRecord<z.ZodString, z.ZodUnknown>;
    }, z.core.$strip>>;
    auth: z.ZodOptional<z.ZodObject<{
        users: z.ZodOptional<z.ZodString>;
        roles: z.ZodOptional<z.ZodString>;
    }, z.core.$strip>>;
}, z.core.$strip>;
export type MongoSchema = z.infer<typeof mongoSchemaV1>;
export type MongoDatabaseSchema = z.infer<typeof databaseSchema>;
export type MongoCollectionSchema = z.infer<typeof collectionSchema>;
export type MongoViewSchema = z.infer<typeof viewSchema>;
/**
 * Checks that a manifest's schema section is one this engine wrote. A
 * PostgreSQL archive handed to a MongoDB target fails here with a clear
 * message rather than somewhere deep inside.
 */
export declare function parseMongoSchema(schema: unknown): MongoSchema;
/**
 * BSON deserialization options that keep every value's exact type: no
 * promotion of Int32/Double/Int64 to JS numbers (which would merge them), no
 * conversion of regexes to JS RegExp (which may reject or rewrite flags).
 */
export declare const EXACT_BSON_OPTIONS: {
    readonly promoteValues: false;
    readonly promoteLongs: false;
    readonly promoteBuffers: false;
    readonly bsonRegExp: true;
};
/** A BSON document (read with {@link EXACT_BSON_OPTIONS}) as canonical Extended JSON. */
export declare function toEjson(document: Document): EjsonDocument;
/** Canonical Extended JSON back into BSON values with their original types. */
export declare function fromEjson(document: EjsonDocument): Document;
export {};
