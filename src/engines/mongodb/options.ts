/**
 * Options of the MongoDB engine. The CLI maps its flags onto these; the library
 * API takes them as `engineOptions`.
 *
 * Namespace patterns are `db.collection` globs (`*` matches within a name part,
 * e.g. `shop.*`, `*.logs`).
 */
export interface MongoBackupOptions {
  /** Databases to back up; default: the URL's database, or every non-system database when the URL names none. */
  databases?: string[];
  include?: string[];
  exclude?: string[];
  /** Per-namespace filter as MongoDB Extended JSON, e.g. `{ "shop.orders": "{\"year\": 2024}" }`. */
  query?: Record<string, string>;
  /**
   * Capture the oplog during the dump so the backup is one point in time.
   * `true` requires a replica set (fails elsewhere); `false` never captures;
   * unset captures when the server is a replica set member.
   */
  oplog?: boolean;
  /** Also back up users and roles (`admin.system.users`, `admin.system.roles`). */
  usersAndRoles?: boolean;
  /**
   * Read large collections with several workers over `_id` ranges. Default:
   * on for MongoDB, off for FerretDB (whose `_id` range queries scan the whole
   * collection, so splitting would multiply the work).
   */
  splitCollections?: boolean;
  /** Collections smaller than this (collStats data size, bytes) are never split. Default 64 MiB. */
  splitMinBytes?: number;
}

export interface MongoRestoreOptions {
  /** Drop each collection before restoring it. Without it, restoring over existing data is refused. */
  drop?: boolean;
  include?: string[];
  exclude?: string[];
  /** Renames, pairwise with `nsTo`: `nsFrom[i]` (pattern with `*`) becomes `nsTo[i]`. */
  nsFrom?: string[];
  nsTo?: string[];
  /** Halt at the first insert error instead of counting and reporting them. */
  stopOnError?: boolean;
  /** Replay the captured oplog (default true when the archive has one). */
  oplogReplay?: boolean;
  /** Upper bound of one insert batch in bytes (default 1 MiB). */
  batchBytes?: number;
  /**
   * Upper bound of the bytes held in insert batches at once, over all
   * collections: batches being filled, waiting for a connection or being
   * inserted. Streams wait for room rather than read ahead. Default 16 MiB
   * (at least two batches).
   */
  batchBudgetBytes?: number;
  /** Parallel insert workers per collection (default 2). */
  workersPerCollection?: number;
  /** Restore users and roles when the archive has them. */
  usersAndRoles?: boolean;
  /** Skip index builds (data and collection options only). */
  noIndexes?: boolean;
  /** Pass `bypassDocumentValidation` on inserts, so documents that predate a validator still restore. */
  bypassDocumentValidation?: boolean;
}

/**
 * Every key of {@link MongoBackupOptions}: configuration files reject any
 * other. `satisfies` keeps the list and the interface in step at compile time.
 */
export const MONGO_BACKUP_OPTION_KEYS = Object.keys({
  databases: true,
  include: true,
  exclude: true,
  query: true,
  oplog: true,
  usersAndRoles: true,
  splitCollections: true,
  splitMinBytes: true,
} satisfies Record<keyof MongoBackupOptions, true>);

/** Every key of {@link MongoRestoreOptions}, kept in step the same way. */
export const MONGO_RESTORE_OPTION_KEYS = Object.keys({
  drop: true,
  include: true,
  exclude: true,
  nsFrom: true,
  nsTo: true,
  stopOnError: true,
  oplogReplay: true,
  batchBytes: true,
  batchBudgetBytes: true,
  workersPerCollection: true,
  usersAndRoles: true,
  noIndexes: true,
  bypassDocumentValidation: true,
} satisfies Record<keyof MongoRestoreOptions, true>);
