import { z } from 'zod';
/**
 * The schema description the PostgreSQL engine stores in the manifest and gets
 * back at restore. It is a list of SQL statements grouped into objects, in an
 * order that satisfies every dependency, plus what restore needs to load data
 * (column lists and the COPY format per table) and sequence values.
 *
 * Statements are generated at backup time by the source server's own
 * `pg_get_*def()` functions, with `search_path` empty so every name in them is
 * schema-qualified.
 */
export declare const SECTIONS: readonly ['pre-data', 'post-data'];
export type Section = (typeof SECTIONS)[number];
export declare const OBJECT_KINDS: readonly ['schema', 'extension', 'collation', 'type', 'domain', 'function', 'aggregate', 'sequence', 'table', 'default', 'sequence-owner', 'view', 'materialized-view', 'index', 'attach', 'constraint', 'foreign-key', 'trigger', 'rule', 'policy', 'row-security', 'statistics', 'refresh'];
export type ObjectKind = (typeof OBJECT_KINDS)[number];
/**
 * How a post-data object locks its table while it is built, for the parallel
 * scheduler: `share` statements (CREATE INDEX) can run side by side on one
 * table; `exclusive` ones (ALTER TABLE, REFRESH) run alone on each table they touch.
 */
export type LockMode = 'share' | 'exclusive';
declare const RelationRef: z.ZodObject<{
    schema: z.ZodString;
    name: z.ZodString;
}, z.core.$strip>;
export type RelationRef = z.infer<typeof RelationRef>;
export declare const PgObjectSchema: z.ZodObject<{
    id: z.ZodString;
    kind: z.ZodEnum<{
        aggregate: "aggregate";
        attach: "attach";
        collation: "collation";
        constraint: "constraint";
        default: "default";
        domain: "domain";
        extension: "extension";
        "foreign-key": "foreign-key";
        function: "function";
        index: "index";
        "materialized-view": "materialized-view";
        policy: "policy";
        refresh: "refresh";
        "row-security": "row-security";
        rule: "rule";
        schema: "schema";
        sequence: "sequence";
        "sequence-owner": "sequence-owner";
        statistics: "statistics";
        table: "table";
        trigger: "trigger";
        type: "type";
        view: "view";
    }>;
    section: z.ZodEnum<{
        "post-data": "post-data";
        "pre-data": "pre-data";
    }>;
    schema: z.ZodNullable<z.ZodString>;
    name: z.ZodString;
    relation: z.ZodOptional<z.ZodObject<{
        schema: z.ZodString;
        name: z.ZodString;
    }, z.core.$strip>>;
    references: z.ZodOptional<z.ZodArray<z.ZodObject<{
        schema: z.ZodString;
        name: z.ZodString;
    }, z.core.$strip>>>;
    sql: z.ZodArray<z.ZodString>;
    drop: z.ZodOptional<z.ZodString>;
    owner: z.ZodOptional<z.ZodArray<z.ZodString>>;
    acl: z.ZodOptional<z.ZodArray<z.ZodString>>;
    deps: z.ZodArray<z.ZodString>;
    lock: z.ZodOptional<z.ZodEnum<{
        exclusive: "exclusive";
        share: "share";
    }>>;
}, z.core.$strip>;
export type PgObject = z.infer<typeof PgObjectSchema>;
export declare const PgColumnSchema: z.ZodObject<{
    name: z.ZodString;
    type: z.ZodString;
}, z.core.$strip>;
export type PgColumn = z.infer<typeof PgColumnSchema>;
export declare const PgTableDataSchema: z.ZodObject<{
    streams: z.ZodArray<z.ZodString>;
    schema: z.ZodString;
    name: z.ZodString;
    columns: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        type: z.ZodString;
    }, z.core.$strip>>;
    format: z.ZodEnum<{
        binary: "binary";
        text: "text";
    }>;
    estimatedRows: z.ZodNumber;
    estimatedBytes: z.ZodNumber;
    identityAlways: z.ZodBoolean;
}, z.core.$strip>;
export type PgTableData = z.infer<typeof PgTableDataSchema>;
export declare const PgSequenceValueSchema: z.ZodObject<{
    schema: z.ZodString;
    name: z.ZodString;
    relation: z.ZodOptional<z.ZodObject<{
        schema: z.ZodString;
        name: z.ZodString;
    }, z.core.$strip>>;
    lastValue: z.ZodString;
    isCalled: z.ZodBoolean;
}, z.core.$strip>;
export type PgSequenceValue = z.infer<typeof PgSequenceValueSchema>;
export declare const POSTGRES_SCHEMA_FORMAT = "stowage-postgres";
export declare const POSTGRES_SCHEMA_VERSION = 1;
export declare const PostgresSchemaSchema: z.ZodObject<{
    format: z.ZodLiteral<"stowage-postgres">;
    version: z.ZodLiteral<1>;
    server: z.ZodObject<{
        version: z.ZodString;
        versionNum: z.ZodNumber;
    }, z.core.$strip>;
    database: z.ZodObject<{
        name: z.ZodString;
        encoding: z.ZodString;
    }, z.core.$strip>;
    contents: z.ZodEnum<{
        "data-only": "data-only";
        full: "full";
        "schema-only": "schema-only";
    }>;
    objects: z.ZodArray<z.ZodObject<{
        id: z.ZodString;
        kind: z.ZodEnum<{
            aggregate: "aggregate";
            attach: "attach";
            collation: "collation";
            constraint: "constraint";
            default: "default";
            domain: "domain";
            extension: "extension";
            "foreign-key": "foreign-key";
            function: "function";
            index: "index";
            "materialized-view": "materialized-view";
            policy: "policy";
            refresh: "refresh";
            "row-security": "row-security";
            rule: "rule";
            schema: "schema";
            sequence: "sequence";
            "sequence-owner": "sequence-owner";
            statistics: "statistics";
            table: "table";
            trigger: "trigger";
            type: "type";
            view: "view";
        }>;
        section: z.ZodEnum<{
            "post-data": "post-data";
            "pre-data": "pre-data";
        }>;
        schema: z.ZodNullable<z.ZodString>;
        name: z.ZodString;
        relation: z.ZodOptional<z.ZodObject<{
            schema: z.ZodString;
            name: z.ZodString;
        }, z.core.$strip>>;
        references: z.ZodOptional<z.ZodArray<z.ZodObject<{
            schema: z.ZodString;
            name: z.ZodString;
        }, z.core.$strip>>>;
        sql: z.ZodArray<z.ZodString>;
        drop: z.ZodOptional<z.ZodString>;
        owner: z.ZodOptional<z.ZodArray<z.ZodString>>;
        acl: z.ZodOptional<z.ZodArray<z.ZodString>>;
        deps: z.ZodArray<z.ZodString>;
        lock: z.ZodOptional<z.ZodEnum<{
            exclusive: "exclusive";
            share: "share";
        }>>;
    }, z.core.$strip>>;
    tables: z.ZodArray<z.ZodObject<{
        streams: z.ZodArray<z.ZodString>;
        schema: z.ZodString;
        name: z.ZodString;
        columns: z.ZodArray<z.ZodObject<{
            name: z.ZodString;
            type: z.ZodString;
        }, z.core.$strip>>;
        format: z.ZodEnum<{
            binary: "binary";
            text: "text";
        }>;
        estimatedRows: z.ZodNumber;
        estimatedBytes: z.ZodNumber;
        identityAlways: z.ZodBoolean;
    }, z.core.$strip>>;
    sequences: z.ZodArray<z.ZodObject<{
        schema: z.ZodString;
        name: z.ZodString;
        relation: z.ZodOptional<z.ZodObject<{
            schema: z.ZodString;
            name: z.ZodString;
        }, z.core.$strip>>;
        lastValue: z.ZodString;
        isCalled: z.ZodBoolean;
    }, z.core.$strip>>;
    partitions: z.ZodArray<z.ZodObject<{
        schema: z.ZodString;
        name: z.ZodString;
        ancestors: z.ZodArray<z.ZodObject<{
            schema: z.ZodString;
            name: z.ZodString;
        }, z.core.$strip>>;
    }, z.core.$strip>>;
    largeObjects: z.ZodOptional<z.ZodObject<{
        stream: z.ZodString;
        count: z.ZodNumber;
        extras: z.ZodArray<z.ZodObject<{
            oid: z.ZodNumber;
            comment: z.ZodArray<z.ZodString>;
            acl: z.ZodArray<z.ZodString>;
        }, z.core.$strip>>;
    }, z.core.$strip>>;
}, z.core.$strip>;
export type PostgresSchema = z.infer<typeof PostgresSchemaSchema>;
/** Validates the schema handed back at restore; a foreign or damaged schema is a clear error. */
export declare function parsePostgresSchema(value: unknown): PostgresSchema;
export {};
