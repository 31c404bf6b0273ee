/**
 * The one table of error codes. Every {@link StowageError} carries one of
 * these codes; the CLI takes its exit status from here and prints the code in
 * `--json` failures. A code that is not in the table is a compile error, so
 * scripts can rely on the set documented in docs/ERRORS.md (a test keeps
 * the two in step).
 *
 * Exit statuses: 1 the operation failed or was refused (a declined
 * confirmation too: the answer "no" is a refusal, as in the pg tools), 2 the
 * command, its flags or its configuration are wrong (nothing was attempted),
 * 130 interrupted by a signal (128 + SIGINT; scripts read a status above 128
 * as "killed by a signal", which a "no" at a prompt is not).
 */

/** The CLI's exit statuses. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

interface ErrorCodeEntry {
  /** The CLI's exit status for this error. */
  exit: (typeof EXIT)[keyof typeof EXIT];
  /** One line for the documentation: what it means. */
  doc: string;
}

const usage = EXIT.usage;
const failure = EXIT.failure;

/** Every error code: the CLI's exit status for it and one line on what it means (docs/ERRORS.md). */
export const ERROR_CODES = {
  // What the user typed.
  usage: { exit: usage, doc: 'bad command line, flag value, configuration file or API argument' },
  'engine-mismatch': { exit: usage, doc: "the archive's engine is not the target URL's engine" },
  'prune-all': { exit: usage, doc: 'the retention policy would delete every backup of a database' },
  'key-required': { exit: usage, doc: 'the archive is encrypted and no passphrase or key was given' },
  'key-kind': { exit: usage, doc: 'a passphrase was given for a key-file archive, or the reverse' },
  'key-file': { exit: usage, doc: 'the key file cannot be read' },
  'bad-key': { exit: usage, doc: 'the key is not 32 bytes (raw, hex or base64)' },
  'wrong-key': { exit: failure, doc: 'the passphrase or key is not the one the archive was written with' },
  interrupted: {
    exit: EXIT.interrupted,
    doc: 'stopped before the end: a signal (Ctrl-C, also at a prompt; SIGTERM) or the daemon stopping',
  },
  declined: {
    exit: failure,
    doc: 'the confirmation was answered "no": nothing was written (1 like any refusal; 130 is for signals)',
  },

  // Archives.
  'not-an-archive': { exit: failure, doc: 'the file is not a .stow archive' },
  'unsupported-version': { exit: failure, doc: 'written by a newer format or schema version' },
  'corrupt-header': { exit: failure, doc: "the archive's header fails its checksum" },
  'corrupt-frame': { exit: failure, doc: 'a frame fails its checksum or authentication' },
  'corrupt-segment': { exit: failure, doc: "a continuous backup's change segment cannot be read back whole" },
  'chain-gap': {
    exit: failure,
    doc: "a continuous backup's chain misses a segment, so changes after the gap cannot be replayed",
  },
  'no-chain': {
    exit: failure,
    doc: 'no continuous backup chain in the repository covers the moment asked for',
  },
  'follow-unsupported': { exit: usage, doc: 'the engine or server cannot be followed continuously' },
  'chain-lagging': {
    exit: failure,
    doc: "a followed chain's lag or last segment's age passed the limit given to status",
  },
  'corrupt-schema': { exit: failure, doc: "the archive's schema stream cannot be read" },
  'unsupported-schema': {
    exit: failure,
    doc: 'the schema stream is of a version this release does not read',
  },
  'wrong-engine': { exit: failure, doc: "the schema stream belongs to another engine than the manifest's" },
  'corrupt-archive': {
    exit: failure,
    doc: 'the archive is damaged where no stream data is lost (its trailer, or bytes after it)',
  },
  truncated: { exit: failure, doc: 'the archive ends early (interrupted upload or copy)' },
  'missing-stream': {
    exit: failure,
    doc: 'a stream the manifest or the restore needs is not in the archive',
  },
  'bad-kdf': { exit: failure, doc: 'the archive header names an unknown key derivation' },
  'duplicate-stream': { exit: failure, doc: 'internal: a stream was opened twice while writing' },
  'streams-open': { exit: failure, doc: 'internal: an archive was finished with streams still open' },
  'writer-closed': { exit: failure, doc: 'internal: a finished archive was written to' },
  'manifest-too-large': {
    exit: failure,
    doc: 'the schema is too large for one archive manifest (511 MiB of JSON, some 200,000 tables): back up part of it per archive',
  },
  'incomplete-backup': {
    exit: failure,
    doc: 'the source holds objects stowage cannot carry (allowed with --allow-incomplete)',
  },

  // Repositories and files.
  'not-found': { exit: failure, doc: 'no such archive, repository folder or object' },
  'not-a-folder': { exit: failure, doc: 'the repository path is a file, not a folder' },
  'no-archives': { exit: failure, doc: 'the repository holds no archive to restore' },
  exists: { exit: failure, doc: 'an archive of that name exists already; nothing is overwritten' },
  permission: { exit: failure, doc: 'the file system refused access' },
  'disk-full': { exit: failure, doc: 'not enough free space for the archive' },
  'repository-locked': { exit: failure, doc: 'another stowage process holds the repository lock' },
  'lock-lost': { exit: failure, doc: 'the repository lock was taken over while this process ran' },
  'partial-lost': {
    exit: failure,
    doc: "a backup's .partial file was removed or replaced while it ran: the backup was not stored",
  },
  'safety-backup-failed': {
    exit: failure,
    doc: 'the backup taken before a restore failed; nothing was restored',
  },
  'scratch-not-empty': { exit: failure, doc: 'the restore test scratch database holds data' },
  's3-credentials': { exit: failure, doc: 'S3 credentials are missing or rejected' },
  's3-denied': { exit: failure, doc: 'S3 refused the request (permissions)' },
  's3-no-bucket': { exit: failure, doc: 'the S3 bucket does not exist' },
  's3-unreachable': { exit: failure, doc: 'the S3 endpoint cannot be reached' },
  's3-error': { exit: failure, doc: 'any other S3 error' },

  // Databases, whatever the engine.
  'db-unreachable': { exit: failure, doc: 'the database server cannot be reached' },
  'db-error': { exit: failure, doc: 'the database server reported an error' },

  // PostgreSQL.
  'pg-unreachable': { exit: failure, doc: 'PostgreSQL cannot be reached (refused, unknown host, timeout)' },
  'pg-auth': { exit: failure, doc: 'PostgreSQL refused the user or password' },
  'pg-ssl': { exit: failure, doc: 'the TLS setup with PostgreSQL failed' },
  'pg-no-database': { exit: failure, doc: 'the PostgreSQL database does not exist' },
  'pg-permission': {
    exit: failure,
    doc: 'the PostgreSQL user lacks a privilege; the message names it (USAGE on a schema, CREATE on the target database or a schema, SELECT on a table) and the hint gives the GRANT that adds it',
  },
  'pg-too-many-connections': { exit: failure, doc: 'PostgreSQL has no free connection slot' },
  'pg-connection-lost': { exit: failure, doc: 'the connection to PostgreSQL broke during the operation' },
  'pg-version': {
    exit: failure,
    doc: 'the PostgreSQL server version is not supported, or (restore) lacks a feature archived objects need',
  },
  'pg-lock-timeout': { exit: failure, doc: 'a table lock was not granted in time' },
  'pg-out-of-locks': {
    exit: failure,
    doc: "PostgreSQL's lock table is full (out of shared memory): raise max_locks_per_transaction, as for pg_dump",
  },
  'pg-table-dropped': { exit: failure, doc: 'a table was dropped while it was being backed up' },
  'pg-target-not-empty': {
    exit: failure,
    doc: 'the restore target holds objects (use --clean or --drop), or another session created it while `restore --create` was creating it',
  },
  'pg-missing-extension': { exit: failure, doc: 'the target lacks an extension the archive needs' },
  'pg-missing-roles': {
    exit: failure,
    doc: 'roles that own objects or hold grants in the archive are missing on the target',
  },
  'pg-missing-table': { exit: failure, doc: 'a data-only restore found no table to load into' },
  'pg-template-busy': {
    exit: failure,
    doc: 'a cached template database is in use by another session, so it cannot be cloned',
  },
  'pg-row-count': { exit: failure, doc: 'the rows copied differ from the rows counted' },
  'pg-bad-copy-data': { exit: failure, doc: 'COPY data in the archive does not parse' },
  'pg-bad-large-objects': { exit: failure, doc: 'the large-object stream does not parse' },
  'restore-failed': {
    exit: failure,
    doc: 'a PostgreSQL restore stopped part way; the message says what was applied',
  },
  'pg-follow-setup': {
    exit: failure,
    doc: 'the server cannot be followed (wal_level, slots, privileges, tables without a replica identity)',
  },
  'pg-replay-mismatch': {
    exit: failure,
    doc: "a replayed change found no row: the target is not the chain's base",
  },
  'pg-error': { exit: failure, doc: 'any other PostgreSQL error' },

  // MongoDB.
  'mongo-bad-url': { exit: failure, doc: 'the MongoDB driver rejected the URL or its options' },
  'mongo-unreachable': { exit: failure, doc: 'MongoDB cannot be reached' },
  'mongo-auth': { exit: failure, doc: 'MongoDB refused the user or password' },
  'mongo-unauthorized': { exit: failure, doc: 'the MongoDB user lacks a privilege' },
  'mongo-connection-lost': { exit: failure, doc: 'the connection to MongoDB broke or never came up' },
  'mongo-cursor-lost': { exit: failure, doc: 'the server dropped a cursor during a backup' },
  'mongo-collection-dropped': {
    exit: failure,
    doc: 'a collection was dropped and created again while it was being backed up (one only dropped is left out with a warning)',
  },
  'mongo-empty-server': { exit: failure, doc: 'a server-level backup found no database' },
  'mongo-missing-database': { exit: failure, doc: 'the named database does not exist' },
  'mongo-oplog-rolled-over': { exit: failure, doc: 'the oplog rolled over during a point-in-time backup' },
  'mongo-oplog-unreplayable': { exit: failure, doc: 'an oplog entry cannot be replayed on restore' },
  'mongo-no-oplog': { exit: failure, doc: 'the MongoDB server keeps no oplog, so it cannot be followed' },
  'mongo-document-too-large': { exit: failure, doc: 'a document exceeds the server limit' },
  'mongo-documents-rejected': {
    exit: failure,
    doc: 'the server refused some documents (duplicate keys, validation)',
  },
  'mongo-insert-rejected': { exit: failure, doc: 'an insert batch failed' },
  'mongo-insert-mismatch': {
    exit: failure,
    doc: 'the server acknowledged another number of documents than sent',
  },
  'mongo-unsupported': { exit: failure, doc: 'the archive holds something this target cannot take' },
  'mongo-server': { exit: failure, doc: 'MongoDB refused an operation' },
  'mongo-driver': { exit: failure, doc: 'any other MongoDB driver error' },
  'mongo-internal': { exit: failure, doc: 'internal: an unexpected error around the MongoDB driver' },
  'bson-stream': { exit: failure, doc: 'a document stream in the archive does not parse as BSON' },

  // Operations.
  stalled: {
    exit: failure,
    doc: 'no bytes moved for --stall-timeout seconds: the named server stopped answering',
  },
  'webhook-failed': { exit: failure, doc: 'the notification webhook failed' },
  'metrics-listen': { exit: failure, doc: 'the daemon cannot listen on its metrics address' },
  demo: { exit: failure, doc: 'the demo failed' },
  'native-addon': {
    exit: failure,
    doc: 'a native addon does not load here: zstd-napi (run `npm rebuild zstd-napi`) or, reading BLAKE3 digests, @napi-rs/blake-hash (run `npm install`)',
  },
  internal: {
    exit: failure,
    doc: 'an error stowage did not classify: run again with STOWAGE_DEBUG=1 and report the stack',
  },
  'quiet-failure': {
    exit: failure,
    doc: 'the command reported the failure in its own output (verify, status)',
  },
} as const satisfies Record<string, ErrorCodeEntry>;

/** A PostgreSQL server error without a code of its own: `pg-` and its SQLSTATE (`pg-23503`). */
export type PgSqlStateCode = `pg-${Uppercase<string>}`;

/** Every code a {@link StowageError} may carry. */
export type ErrorCode = keyof typeof ERROR_CODES | PgSqlStateCode;

/** The CLI's exit status for an error code. */
export function exitStatusFor(code: ErrorCode): number {
  const entry = (ERROR_CODES as Record<string, ErrorCodeEntry>)[code];
  return entry?.exit ?? EXIT.failure;
}
