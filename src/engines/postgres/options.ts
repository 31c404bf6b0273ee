/**
 * Options of the PostgreSQL engine. The CLI maps its flags onto these; the
 * library API takes them as `engineOptions`.
 *
 * Table and schema patterns are globs (`*`, `?`); a table pattern without a dot
 * matches in every schema, `schema.table` matches exactly that schema.
 */
export interface PostgresBackupOptions {
  includeSchemas?: string[];
  excludeSchemas?: string[];
  includeTables?: string[];
  excludeTables?: string[];
  /**
   * Tables whose rows are left out (pg_dump's --exclude-table-data): their
   * definitions are backed up, their data is not. Same patterns as
   * {@link excludeTables}; a partitioned table's partitions match on their own names.
   */
  excludeTableData?: string[];
  /** Only the schema (pre-data and post-data), no table data. */
  schemaOnly?: boolean;
  /** Only table data (and sequence values), no schema. */
  dataOnly?: boolean;
  /**
   * Give up when a table cannot be locked within this many milliseconds
   * (another session holds an exclusive lock); default: wait (like pg_dump --lock-wait-timeout).
   */
  lockTimeoutMs?: number;
  /**
   * With more than one job, copy tables of at least twice this many bytes
   * (main fork) in parts of about this size, on several sessions at once
   * (PostgreSQL 14+). Default 64 MiB; 0 copies every table whole.
   */
  splitTableBytes?: number;
  /**
   * Back up large objects. Default: yes when the whole database is backed up
   * (no schema or table selection, not schema-only), as pg_dump does.
   */
  largeObjects?: boolean;
  /**
   * Also record the server's roles (attributes, memberships, settings,
   * comments) and tablespaces, like `pg_dumpall --globals-only`, so that
   * restore `globals` can rebuild them on a new server.
   */
  globals?: boolean;
  /** Only the globals, no database (any database of the server may be named in the URL). */
  globalsOnly?: boolean;
  /** With `globals`/`globalsOnly`: record role password hashes too (needs a superuser). */
  rolePasswords?: boolean;
  /**
   * Continuous backup (`follow`) only: accept tables whose replica identity is
   * FULL (no primary key; replay finds rows by comparing every column, which is
   * slow on big tables). Without it such tables are refused at start.
   */
  replicaIdentityFull?: boolean;
}

export interface PostgresRestoreOptions {
  /** Create the target database when it does not exist. */
  create?: boolean;
  /** Drop the archived objects in the target before restoring them. */
  clean?: boolean;
  schemaOnly?: boolean;
  /** Load data into existing tables; the target schema must already exist. */
  dataOnly?: boolean;
  includeSchemas?: string[];
  excludeSchemas?: string[];
  includeTables?: string[];
  excludeTables?: string[];
  /** All or nothing: one transaction for the whole restore (disables parallel jobs). */
  singleTransaction?: boolean;
  /**
   * Restore each object's owner (`ALTER … OWNER TO`). Default true, like
   * pg_restore; false is `--no-owner`: objects then belong to the restoring user.
   */
  owner?: boolean;
  /**
   * Restore grants and revokes (`GRANT`/`REVOKE`, also on the database itself
   * with `create`). Default true, like pg_restore; false is `--no-acl`.
   */
  acl?: boolean;
  /**
   * Archived role name → role on the target, for owners, grantees and per-role
   * settings (`--map-role prod_app=dev_app`). Roles not mapped keep their name.
   * Before anything is applied, every role the restore needs must exist on the
   * target, or the restore stops and lists the missing ones.
   */
  mapRoles?: Record<string, string>;
  /**
   * Restore the archive's global objects (roles, tablespaces; backed up with
   * `globals`) first: create those missing on the target server and report
   * those that already exist, which are left as they are.
   */
  globals?: boolean;
  /**
   * With `globals`: only the roles and tablespaces whose names match one of
   * these globs (`app_*`); default: all of them.
   */
  globalsMatching?: string[];
  /**
   * With `globals`: make roles that already exist match the archive
   * (attributes, archived password hash, settings and comment, missing
   * memberships) instead of only reporting how they differ. The restoring
   * user's own role is never altered.
   */
  alterExistingRoles?: boolean;
  /**
   * How table data is written. `copy`: COPY FROM STDIN, the fast path.
   * `insert`: batched multi-row INSERT, for targets without COPY FROM STDIN
   * (PGlite behind pglite-socket, some PostgreSQL-compatible services).
   * `auto` (default): `insert` when the target is PGlite, else `copy`.
   */
  insertMode?: 'auto' | 'copy' | 'insert';
  /**
   * With `dataOnly`: load with triggers and foreign-key checks off
   * (`session_replication_role = replica`, superuser only), so tables load in
   * any order. Without it, tables load in foreign-key order.
   */
  disableTriggers?: boolean;
  /** Restore the archive's large objects (default: unless schemas or tables are selected). */
  largeObjects?: boolean;
  /**
   * Into an older server: leave out, with a warning, the objects that need a
   * feature the target lacks (and what depends on them), instead of refusing
   * the restore.
   */
  skipMissingFeatures?: boolean;
  /**
   * Add foreign keys `NOT VALID`: the rows already loaded are not checked.
   * For `stowage bench --restore-into`, whose sampled tables need not match
   * each other; never for a real restore. Foreign keys of partitioned tables,
   * which cannot be NOT VALID, are still checked.
   */
  foreignKeysNotValid?: boolean;
}

/**
 * Every key of {@link PostgresBackupOptions}: configuration files reject any
 * other. `satisfies` keeps the list and the interface in step at compile time.
 */
export const POSTGRES_BACKUP_OPTION_KEYS = Object.keys({
  includeSchemas: true,
  excludeSchemas: true,
  includeTables: true,
  excludeTables: true,
  excludeTableData: true,
  schemaOnly: true,
  dataOnly: true,
  lockTimeoutMs: true,
  splitTableBytes: true,
  largeObjects: true,
  globals: true,
  globalsOnly: true,
  rolePasswords: true,
  replicaIdentityFull: true,
} satisfies Record<keyof PostgresBackupOptions, true>);

/** Every key of {@link PostgresRestoreOptions}, kept in step the same way. */
export const POSTGRES_RESTORE_OPTION_KEYS = Object.keys({
  create: true,
  clean: true,
  schemaOnly: true,
  dataOnly: true,
  includeSchemas: true,
  excludeSchemas: true,
  includeTables: true,
  excludeTables: true,
  singleTransaction: true,
  owner: true,
  insertMode: true,
  disableTriggers: true,
  largeObjects: true,
  acl: true,
  globals: true,
  globalsMatching: true,
  alterExistingRoles: true,
  mapRoles: true,
  skipMissingFeatures: true,
  foreignKeysNotValid: true,
} satisfies Record<keyof PostgresRestoreOptions, true>);
