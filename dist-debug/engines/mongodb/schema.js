import { EJSON } from 'bson';
import { z } from 'zod';
import { StowageError } from '../../errors.js';
const ejsonDocument = z.record(z.string(), z.unknown());
const collectionSchema = z.object({
    name: z.string().min(1),
    /** `timeseries` collections are rebuilt with their options and their bucket or measurement documents. */
    type: z.enum(['collection', 'timeseries']),
    /** `options` from listCollections (capped, validator, collation, timeseries, clusteredIndex, ...). */
    options: ejsonDocument,
    /** Every index spec from listIndexes, `_id_` included, as the server reported it. */
    indexes: z.array(ejsonDocument),
    /** Streams that hold this collection's documents, in any order (several when the dump was split). */
    streams: z.array(z.string().min(1)),
    /** Documents written at backup time, over all streams. */
    documents: z.number().int().nonnegative(),
    /**
     * Where the documents came from. `buckets`: a time series collection's
     * `system.buckets.<name>`, inserted back there raw (as mongorestore does).
     * `documents`: the collection itself.
     */
    source: z.enum(['documents', 'buckets']),
});
const viewSchema = z.object({
    name: z.string().min(1),
    /** `viewOn`, `pipeline` and `collation` from listCollections. */
    options: ejsonDocument,
});
const databaseSchema = z.object({
    name: z.string().min(1),
    collections: z.array(collectionSchema),
    views: z.array(viewSchema),
});
const oplogSchema = z.object({
    stream: z.string().min(1),
    entries: z.number().int().nonnegative(),
    /** Canonical EJSON Timestamps bracketing the capture. */
    start: ejsonDocument,
    end: ejsonDocument,
});
/** Version 1 of the MongoDB schema section. */
export const mongoSchemaV1 = z.object({
    engine: z.literal('mongodb'),
    version: z.literal(1),
    server: z.object({
        version: z.string(),
        topology: z.enum(['standalone', 'replicaSet', 'sharded']),
        ferretdb: z.string().optional(),
    }),
    databases: z.array(databaseSchema),
    oplog: oplogSchema.optional(),
    /** Streams with `admin.system.users` / `admin.system.roles` documents, when asked for. */
    auth: z.object({ users: z.string().optional(), roles: z.string().optional() }).optional(),
});
/**
 * Checks that a manifest's schema section is one this engine wrote. A
 * PostgreSQL archive handed to a MongoDB target fails here with a clear
 * message rather than somewhere deep inside.
 */
export function parseMongoSchema(schema) {
    const engine = schema?.engine;
    if (engine !== 'mongodb') {
        const what = typeof engine === 'string' ? `a ${engine} backup` : 'not a MongoDB backup';
        throw new StowageError('wrong-engine', `this archive is ${what} and cannot be restored into MongoDB`, 'restore it into a server of the kind it was taken from');
    }
    const version = schema.version;
    if (version !== 1) {
        throw new StowageError('unsupported-schema', `the archive's MongoDB schema has version ${String(version)}, which this stowage does not know`, 'upgrade stowage to a release that reads it');
    }
    const parsed = mongoSchemaV1.safeParse(schema);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new StowageError('corrupt-schema', `the archive's MongoDB schema is malformed at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`, 'the manifest is damaged; restore from another backup');
    }
    return parsed.data;
}
/**
 * BSON deserialization options that keep every value's exact type: no
 * promotion of Int32/Double/Int64 to JS numbers (which would merge them), no
 * conversion of regexes to JS RegExp (which may reject or rewrite flags).
 */
export const EXACT_BSON_OPTIONS = {
    promoteValues: false,
    promoteLongs: false,
    promoteBuffers: false,
    bsonRegExp: true,
};
/** A BSON document (read with {@link EXACT_BSON_OPTIONS}) as canonical Extended JSON. */
export function toEjson(document) {
    return EJSON.serialize(document, { relaxed: false });
}
/** Canonical Extended JSON back into BSON values with their original types. */
export function fromEjson(document) {
    return EJSON.deserialize(document, { relaxed: false });
}
//# sourceMappingURL=schema.js.map