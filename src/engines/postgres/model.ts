import type { z } from 'zod';
import { StowageError } from '../../errors.js';
import { LOCK_MODES } from '../../scheduler/scheduler.js';
import { type Built, LazySchemas } from '../../schema-check/lazy-schemas.js';
import { shareArchivedStrings } from './archived-strings.js';
import { largeObjectsSchema } from './large-objects.js';
import { PackedPgObject, packObjects } from './packed-object.js';

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

export const SECTIONS = ['pre-data', 'post-data'] as const;
export type Section = (typeof SECTIONS)[number];

export const OBJECT_KINDS = [
  'schema',
  'extension',
  'access-method',
  'collation',
  'type',
  'domain',
  'function',
  'aggregate',
  'shell-type',
  'operator',
  'operator-family',
  'operator-class',
  'cast',
  'transform',
  'conversion',
  'text-search-parser',
  'text-search-template',
  'text-search-dictionary',
  'text-search-configuration',
  'sequence',
  'table',
  'default',
  'sequence-owner',
  'view',
  'materialized-view',
  'index',
  'attach',
  'constraint',
  'foreign-key',
  'trigger',
  'rule',
  'policy',
  'row-security',
  'statistics',
  'refresh',
  /** Changed privileges of the system's own objects (catalog/system-acl.ts): only an `acl`, no `sql`. */
  'system-acl',
  'foreign-data-wrapper',
  'foreign-server',
  'user-mapping',
  'foreign-table',
  'publication',
  'publication-table',
  'subscription',
  'default-privileges',
  'event-trigger',
  'language',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export const POSTGRES_SCHEMA_FORMAT = 'stowage-postgres';
/**
 * 2 added object kinds (operators, casts, text search, ...): a stowage that
 * knows only version 1 says "upgrade stowage" for them instead of calling the
 * unknown kinds damage. Version 1 schemas are still read.
 */
export const POSTGRES_SCHEMA_VERSION = 2;

/**
 * The schema section's schemas, built on first use (lazy-schemas.ts): a backup
 * builds none, a restore checks its section without loading zod.
 */
export const postgresSchemas = new LazySchemas((z) => {
  const RelationRef = z.object({ schema: z.string(), name: z.string() });

  const PgObjectSchema = z.object({
    /** Unique within the schema, e.g. `table:public.orders`. */
    id: z.string(),
    kind: z.enum(OBJECT_KINDS),
    section: z.enum(SECTIONS),
    /** Schema the object lives in (null for schemas, extensions are in their schema). */
    schema: z.string().nullable(),
    name: z.string(),
    /** The table, view or sequence this object belongs to (itself for relations); selective restore follows it. */
    relation: RelationRef.optional(),
    /** Other relations the object needs (a foreign key's referenced table). */
    references: z.array(RelationRef).optional(),
    /** Statements that create the object, run in order. */
    sql: z.array(z.string()),
    /**
     * Statement that removes the object, for `clean`. Only top-level objects and
     * foreign keys (which tie tables together) have one; indexes, triggers and
     * the like go with their table.
     */
    drop: z.string().optional(),
    /**
     * `ALTER ... OWNER TO` statements, applied unless restoring with `owner: false`
     * (`--no-owner`). Each ends with the one role it names (role-map.ts renames it).
     */
    owner: z.array(z.string()).optional(),
    /**
     * `GRANT`/`REVOKE` statements, applied unless restoring with `acl: false`
     * (`--no-acl`). Each names one grantee, at its end (see catalog/acl.ts).
     */
    acl: z.array(z.string()).optional(),
    /**
     * Roles the object's own `sql` names, quoted as in the SQL (a policy's `TO`
     * list; `PUBLIC` left out). They must exist whatever the ownership options;
     * `--map-role` renames them in the `TO` list.
     */
    roles: z.array(z.string()).optional(),
    /** Ids of objects that must exist first. */
    deps: z.array(z.string()),
    /**
     * How a post-data object locks its table while it is built, for the parallel
     * scheduler: `share` statements (CREATE INDEX) can run side by side on one
     * table; `exclusive` ones (ALTER TABLE, REFRESH) run alone on each table they touch.
     */
    lock: z.enum(LOCK_MODES).optional(),
    /**
     * The statements hold credentials (user mapping options, a subscription's
     * connection string), as pg_dump keeps them: they run at restore and are
     * shown nowhere (see printable-schema.ts).
     */
    secret: z.boolean().optional(),
  });

  const PgColumnSchema = z.object({
    name: z.string(),
    /** `format_type()` of the column, schema-qualified: the INSERT path casts parameters to it. */
    type: z.string(),
  });

  const PgTableDataSchema = z.object({
    /**
     * Archive streams holding the rows: one for most tables; a big table is
     * copied in block ranges at once (table-parts.ts), one complete COPY stream each.
     */
    streams: z.array(z.string()).min(1),
    schema: z.string(),
    name: z.string(),
    /** Columns in COPY order (generated and dropped columns are never copied). */
    columns: z.array(PgColumnSchema),
    /** `binary` unless a column type cannot travel in binary COPY (see data-format.ts). */
    format: z.enum(['binary', 'text']),
    /** Catalog estimates at backup time, for progress and scheduling (rows: -1 when never analyzed). */
    estimatedRows: z.number(),
    estimatedBytes: z.number(),
    /** The table has `GENERATED ALWAYS` identity columns (INSERT needs OVERRIDING SYSTEM VALUE). */
    identityAlways: z.boolean(),
    /**
     * An extension's configuration table (its DDL comes with CREATE EXTENSION): the
     * `WHERE …` condition choosing the rows that were copied, those the user added.
     */
    filter: z.string().optional(),
  });

  const PgSequenceValueSchema = z.object({
    schema: z.string(),
    name: z.string(),
    /** The table owning the sequence (serial / identity), for selective restore. */
    relation: RelationRef.optional(),
    /** As text: a bigint does not fit a JS number. */
    lastValue: z.string(),
    isCalled: z.boolean(),
  });

  /** One privilege of an ACL (catalog/acl.ts `AclEntry`): grantee quoted or PUBLIC, privilege, grant option, grantor. */
  const AclEntrySchema = z.object({
    g: z.string(),
    p: z.string(),
    o: z.boolean(),
    r: z.string().nullable().optional(),
  });

  /**
   * Properties of the backed-up database itself, which `pg_dump --create` puts
   * around its CREATE DATABASE; restore applies them when it creates the target
   * (under the target's name). Settings are `name=value` as in `pg_db_role_setting`.
   */
  const PgDatabasePropertiesSchema = z.object({
    owner: z.string(),
    comment: z.string().nullable(),
    /** NULL: the database still has its default privileges. */
    acl: z.array(AclEntrySchema).nullable(),
    connectionLimit: z.number(),
    collate: z.string(),
    ctype: z.string(),
    /** `ALTER DATABASE … SET`. */
    settings: z.array(z.string()),
    /** `ALTER ROLE … IN DATABASE … SET`. */
    roleSettings: z.array(z.object({ role: z.string(), settings: z.array(z.string()) })),
  });

  /** A role as `pg_dumpall --roles-only` records it. */
  const PgRoleSchema = z.object({
    name: z.string(),
    superuser: z.boolean(),
    inherit: z.boolean(),
    createRole: z.boolean(),
    createDb: z.boolean(),
    login: z.boolean(),
    replication: z.boolean(),
    bypassRls: z.boolean(),
    connectionLimit: z.number(),
    validUntil: z.string().nullable(),
    /** The password hash (SCRAM or MD5), only when backed up with `rolePasswords`. */
    password: z.string().nullable().optional(),
    comment: z.string().nullable(),
    /** `ALTER ROLE … SET` (for all databases). */
    settings: z.array(z.string()),
  });

  /** A tablespace as `pg_dumpall --tablespaces-only` records it. */
  const PgTablespaceSchema = z.object({
    name: z.string(),
    owner: z.string(),
    location: z.string(),
    options: z.array(z.string()),
    acl: z.array(AclEntrySchema).nullable(),
    comment: z.string().nullable(),
  });

  /** A role membership (`GRANT role TO member`), one per grantor from PostgreSQL 16 on. */
  const PgMembershipSchema = z.object({
    role: z.string(),
    member: z.string(),
    grantor: z.string().nullable(),
    admin: z.boolean(),
    /** PostgreSQL 16+: whether the member inherits the role's privileges (absent: as the member's INHERIT attribute). */
    inherit: z.boolean().optional(),
    /** PostgreSQL 16+: whether the member may SET ROLE to the role (absent: yes). */
    set: z.boolean().optional(),
  });

  /** The server's global objects (`pg_dumpall --globals-only`): roles, their memberships, tablespaces. */
  const PgGlobalsSchema = z.object({
    roles: z.array(PgRoleSchema),
    memberships: z.array(PgMembershipSchema),
    tablespaces: z.array(PgTablespaceSchema),
  });

  const PostgresSchemaSchema = z.object({
    format: z.literal(POSTGRES_SCHEMA_FORMAT),
    version: z.number().int().min(1).max(POSTGRES_SCHEMA_VERSION),
    server: z.object({ version: z.string(), versionNum: z.number() }),
    database: z.object({
      name: z.string(),
      encoding: z.string(),
      /** Absent in archives made before Stowage recorded them. */
      properties: PgDatabasePropertiesSchema.optional(),
    }),
    /**
     * What the backup holds: `schema-only` has no table data; `data-only` has no
     * DDL; `globals` only the server's roles and tablespaces (no database).
     */
    contents: z.enum(['full', 'schema-only', 'data-only', 'globals']),
    /** Set when the backup took only some schemas or tables: it then holds no database-wide settings. */
    partial: z.boolean().optional(),
    /** Roles and tablespaces, when backed up with `globals`. */
    globals: PgGlobalsSchema.optional(),
    /** Every object, dependency-ordered: all of pre-data, then all of post-data. */
    objects: z.array(PgObjectSchema),
    tables: z.array(PgTableDataSchema),
    sequences: z.array(PgSequenceValueSchema),
    /** Partitions and the partitioned tables above them (nearest first): selective restore treats a partition as part of its root. */
    partitions: z.array(RelationRef.extend({ ancestors: z.array(RelationRef) })),
    /** Large objects, when the backup has any (large-objects.ts). */
    largeObjects: largeObjectsSchema(z).optional(),
  });
  return {
    RelationRef,
    PgObjectSchema,
    PgColumnSchema,
    PgTableDataSchema,
    PgSequenceValueSchema,
    AclEntrySchema,
    PgDatabasePropertiesSchema,
    PgRoleSchema,
    PgTablespaceSchema,
    PgMembershipSchema,
    PgGlobalsSchema,
    PostgresSchemaSchema,
  };
});

type Schemas = Built<typeof postgresSchemas>;
export type RelationRef = z.infer<Schemas['RelationRef']>;
export type PgObject = z.infer<Schemas['PgObjectSchema']>;
export type PgColumn = z.infer<Schemas['PgColumnSchema']>;
export type PgTableData = z.infer<Schemas['PgTableDataSchema']>;
export type PgSequenceValue = z.infer<Schemas['PgSequenceValueSchema']>;
export type PgDatabaseProperties = z.infer<Schemas['PgDatabasePropertiesSchema']>;
export type PgRole = z.infer<Schemas['PgRoleSchema']>;
export type PgTablespace = z.infer<Schemas['PgTablespaceSchema']>;
export type PgMembership = z.infer<Schemas['PgMembershipSchema']>;
export type PgGlobals = z.infer<Schemas['PgGlobalsSchema']>;
export type PostgresSchema = z.infer<Schemas['PostgresSchemaSchema']>;
/**
 * The schema as a backup returns it: `objects` and `tables` may be the stand-ins that
 * `EngineBackupRequest.packJson` gave for the lists, which serialize to the
 * same JSON (engine.ts); everything else is as in {@link PostgresSchema}.
 */
export type BackedUpPostgresSchema = Omit<PostgresSchema, 'objects' | 'tables'> & {
  objects: unknown;
  tables: unknown;
};

/** Validates the schema handed back at restore; a foreign or damaged schema is a clear error. */
export async function parsePostgresSchema(value: unknown): Promise<PostgresSchema> {
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== POSTGRES_SCHEMA_FORMAT) {
    throw new StowageError(
      'wrong-engine',
      'archive does not hold a PostgreSQL backup',
      'restore it with the engine it was made with (stowage inspect shows it)',
    );
  }
  const version = (value as { version?: unknown }).version;
  if (typeof version === 'number' && version > POSTGRES_SCHEMA_VERSION) {
    throw new StowageError(
      'unsupported-version',
      `PostgreSQL schema section version ${version} is newer than this stowage understands`,
      'upgrade stowage',
    );
  }
  // Objects the footer's reader packed were checked one by one as they were parsed (footer-objects.ts):
  // the rest of the schema is checked here. One not packed there is checked here, as a plain object.
  const archived = (value as { objects?: unknown }).objects;
  const packed = Array.isArray(archived) ? archived.filter((o) => o instanceof PackedPgObject).length : 0;
  // The schema with every object plain again (packed ones unpacked): what zod parses and gives back.
  const unpacked = () =>
    packed === 0
      ? value
      : {
          ...(value as object),
          objects: (archived as unknown[]).map((o) => (o instanceof PackedPgObject ? o.toJSON() : o)),
        };
  const checked =
    packed > 0 && packed === (archived as unknown[]).length
      ? { ...(value as object), objects: [] }
      : unpacked();
  if (postgresSchemas.conforms('PostgresSchemaSchema')(checked)) {
    // Valid as it stands (nearly always): its objects are used as they are, not copied one by one
    // by zod (seconds at 20,000 tables), packed in their list where the reader did not pack them (the
    // caller's manifest then holds no unpacked copy). The lists are copied: a restore trims them in place.
    const schema = value as PostgresSchema;
    if (packed < schema.objects.length) packObjects(schema.objects);
    shareArchivedStrings([], schema.tables);
    return {
      ...schema,
      objects: [...schema.objects],
      tables: [...schema.tables],
      sequences: [...schema.sequences],
      partitions: [...schema.partitions],
    };
  }
  // Not as it stands: zod (loaded now) parses it, or says what is wrong.
  // Every object again, packed ones too: the list zod gives back replaces the archived one.
  const parsed = (await postgresSchemas.load()).PostgresSchemaSchema.safeParse(unpacked());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StowageError(
      'corrupt-schema',
      `PostgreSQL schema section is damaged: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
      'restore from another backup',
    );
  }
  packObjects(parsed.data.objects);
  shareArchivedStrings([], parsed.data.tables);
  return parsed.data;
}
