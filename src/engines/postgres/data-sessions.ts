/**
 * When a backup with `jobs > 1` opens its sessions beyond the leader.
 *
 * Each extra session is a server process forked, an authentication (SCRAM: some thousands of
 * hashes on both sides), its settings and a snapshot import. On a small database that work costs
 * more than the share of the catalog and the COPYs it takes over: a 3 MB database's backup used
 * ~15 ms more CPU with a second session than without, on two cores that the client and the leader's
 * server process already keep busy (docs/BENCHMARKS.md, "Session 16: smallone"). pg_dump, without
 * `-j`, does all of it on one connection. So the leader decides from what the database holds:
 * - **at once**, before the catalog is read, when the database has many relations (the extra
 *   sessions then read the census, pg_depend and part of the catalog while the leader lists and
 *   locks the tables) or many bytes by the catalog's page counts;
 * - **after the catalog**, when the tables to copy turn out big after all (page counts are 0 for a
 *   table never vacuumed or analyzed; the catalog's estimate reads such a table's files);
 * - **never**, otherwise: the leader copies alone, in its own snapshot.
 */

/** Estimated bytes of table data from which a backup opens its extra sessions. */
export const DEFAULT_PARALLEL_FROM_BYTES = 32 * 1024 * 1024;

/** Tables, partitioned tables and materialized views from which the extra sessions open before the catalog. */
export const PARALLEL_FROM_RELATIONS = 200;

/**
 * The database's relations and the bytes of their pages as the catalog last counted them, asked in
 * the message that starts the leader's snapshot (no round trip of its own). User relations only:
 * their OIDs start at 16384 (FirstNormalObjectId), TOAST tables included for the bytes.
 */
export const DATABASE_SIZE_SQL = `SELECT
  sum(CASE WHEN c.relkind IN ('r', 'p', 'm') THEN 1 ELSE 0 END)::int8::text AS relations,
  (COALESCE(sum(c.relpages::int8), 0) * pg_catalog.current_setting('block_size')::int8)::text AS bytes
FROM pg_catalog.pg_class c
WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'm', 't')`;

/** The row of {@link DATABASE_SIZE_SQL}. */
export interface DatabaseSize {
  relations: number;
  bytes: number;
}

/** {@link DATABASE_SIZE_SQL}'s row, or undefined when it was not asked or gave nothing readable. */
export function databaseSizeOf(row: Record<string, unknown> | undefined): DatabaseSize | undefined {
  const relations = Number(row?.relations ?? Number.NaN);
  const bytes = Number(row?.bytes ?? Number.NaN);
  return Number.isFinite(relations) && Number.isFinite(bytes) ? { relations, bytes } : undefined;
}

/** Whether the extra sessions open before the catalog is read; without a size (not asked), they do, as always before. */
export function opensBeforeCatalog(size: DatabaseSize | undefined, fromBytes: number): boolean {
  return !size || size.relations >= PARALLEL_FROM_RELATIONS || size.bytes >= fromBytes;
}

/** Whether the extra sessions open once the catalog has estimated the bytes of the tables to copy. */
export function opensForData(tableBytes: number, fromBytes: number): boolean {
  return tableBytes >= fromBytes;
}
