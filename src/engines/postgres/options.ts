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
  /** Restore ownership and grants (off by default, like `pg_restore --no-owner`). */
  owner?: boolean;
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
}
