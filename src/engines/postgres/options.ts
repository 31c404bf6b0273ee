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
  /** Only the schema (pre-data and post-data), no table data. */
  schemaOnly?: boolean;
  /** Only table data (and sequence values), no schema. */
  dataOnly?: boolean;
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
}
