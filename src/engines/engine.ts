import type { Readable, Writable } from 'node:stream';
import type { ArrayItems } from '../archive/json-assembler.js';
import type { ProgressListener } from '../progress.js';
import type { SourceConnecting } from './plugin.js';
import type { EngineName } from './registry.js';

/**
 * The contract between an engine (postgres, mongodb) and the rest of Stowage.
 *
 * An engine turns a database into named byte streams plus a JSON schema
 * description, and back. It never sees archives, frames, stores or files: the
 * archive layer hands it a {@link StreamWriterSet} on backup and a
 * {@link StreamReaderSet} on restore.
 */

/** One named output stream. `itemCount` (rows, documents) is recorded in the manifest when the stream ends. */
export interface EngineStreamWriter extends Writable {
  itemCount: number;
  /**
   * Set by a writer that has seen enough of this stream (`stowage bench`
   * sampling a big table): an engine that reads in batches ends the stream
   * at the next batch boundary, whole items only, as if the data ended there.
   * Never set on a backup's writers.
   */
  enough?: boolean;
}

/** Where an engine writes backup data. Streams may be written concurrently; each respects backpressure. */
export interface StreamWriterSet {
  /** Opens a new stream. Names must be unique within one backup. */
  open(name: string): EngineStreamWriter;
  /**
   * Asked before a stream is opened, by an engine that must choose up front
   * how much of a table to read (PostgreSQL COPY cannot stop half-way): the
   * share of the table's rows, (0, 1], to read. Absent (every backup): all.
   * `stowage bench` uses it to give each table its share of the time budget.
   */
  sampleFraction?(name: string, estimatedBytes: number): number;
}

/** What the archive knows about a stream before reading it. */
export interface StreamSummary {
  name: string;
  /** Rows or documents, as the engine counted them at backup time. */
  items: number;
  rawBytes: number;
}

/** Where an engine reads restore data from. Streams may be opened and read concurrently. */
export interface StreamReaderSet {
  list(): StreamSummary[];
  /** Opens a stream for reading; the readable errors if any frame is corrupt or the stream's digest does not match. */
  open(name: string): Readable;
  /**
   * Optional: the same bytes, checks and errors as {@link open}, as an async
   * iterable of chunks, for an engine that reads a stream once, front to back,
   * and has no use for a `Readable` (one fewer object graph per stream: with
   * thousands of small tables, garbage that reached V8's old space).
   * Ending the iteration early (`return()`) stops the reading.
   */
  chunks?(name: string): AsyncIterable<Buffer>;
  /**
   * Optional: hands back a chunk read from a stream once nothing refers to it
   * any more (written out, not kept), so its memory is reused for later
   * chunks. Never call it for a chunk that is still in use.
   */
  recycle?(chunk: Buffer): void;
}

/** Engine identifiers, as stored in the manifest: the names in engines/registry.ts. */
export type { EngineName } from './registry.js';

export interface EngineBackupRequest<Options = Record<string, unknown>> {
  /** Connection URL, with credentials. Never log it; use {@link redactUrl}. */
  url: string;
  streams: StreamWriterSet;
  /** Parallel connections to use. */
  jobs: number;
  options: Options;
  progress: ProgressListener;
  signal?: AbortSignal;
  /**
   * Called as soon as the engine knows what it cannot carry (see
   * {@link EngineBackupResult.incomplete}), before copying data; it throws to
   * refuse the backup early.
   */
  onIncomplete?: (missing: string[]) => void;
  /**
   * The first connection, already being opened by this engine's plugin (its probes'
   * `connectSource`, for `url` and `options`): the engine takes it over instead of connecting.
   */
  source?: SourceConnecting;
  /**
   * Gives back a stand-in for a JSON value that serializes to the same text and
   * takes less memory (the archive's packed-json.ts), or the value itself. An
   * engine hands it its schema once that is complete and returns the stand-in as
   * {@link EngineBackupResult.schema}, so a large schema does not sit in the heap
   * through the data phase; the engine must not change the value afterwards.
   */
  packJson?: (value: unknown) => unknown;
}

export interface EngineBackupResult {
  serverVersion: string;
  /** The database (or, for MongoDB, comma-joined databases) backed up. */
  database: string;
  /** Engine-specific schema description, stored in the manifest and handed back to restore. JSON only. */
  schema: unknown;
  /** True when the whole backup is one consistent point in time. */
  pointInTime: boolean;
  warnings: string[];
  /**
   * What exists in the source but is not in the backup, one entry per kind with
   * its count (`operators: 3`). Empty or absent: the backup is complete.
   */
  incomplete?: string[];
  /**
   * The engine's connections, still closing when the result is handed back: their work is done
   * (PostgreSQL: the snapshot's transaction committed), and the caller writes the archive's footer
   * while the server ends them, then awaits this before it reports the backup (never rejects).
   * Absent: everything was closed before the result.
   */
  closing?: Promise<void>;
}

export interface EngineRestoreRequest<Options = Record<string, unknown>> {
  url: string;
  streams: StreamReaderSet;
  /** The schema section exactly as the engine returned it at backup time. */
  schema: unknown;
  jobs: number;
  options: Options;
  progress: ProgressListener;
  signal?: AbortSignal;
  /**
   * Called once every refusal check has passed (selection, names, existing
   * data without `--clean`/`--drop`, prerequisites) and before anything is
   * written: what the restore will write, as the target names it. Throwing
   * here stops the restore with nothing written (a declined confirmation); a
   * safety backup of {@link RestoreWritePlan.replaced} is taken here.
   */
  beforeWrite?: (plan: RestoreWritePlan) => Promise<void>;
  /** What {@link Engine.startRestore} began for this restore's `url` and `options`; the engine takes it over. */
  started?: RestoreStart;
  /**
   * Called as the restore writes its first object into the target, past every refusal: should it
   * then fail, the target holds part of the archive. A database the restore created itself
   * (PostgreSQL `--create`) is then the caller's to drop ({@link Engine.dropCreatedTarget}) or
   * keep; one that existed stays, and the caller says it is partly restored. (A refusal before the
   * first write drops a created database in the engine, and this is not called.) Not called when
   * a failure writes nothing (PostgreSQL `--single-transaction` into an existing database).
   */
  onWriteBegun?: (target: WrittenTarget) => void;
}

/** The target a restore has begun writing into (see {@link EngineRestoreRequest.onWriteBegun}). */
export interface WrittenTarget {
  /** The database (PostgreSQL) or databases (MongoDB, comma-joined) written into. */
  database: string;
  /** Whether this restore created it: only then may a failure drop it. */
  created: boolean;
  /** How to replace what a failed restore left, in the engine's own flags, for the hint (`pass --clean …`). */
  startOver: string;
}

/** Work an engine began for a restore before the archive was read (see {@link Engine.startRestore}). */
export interface RestoreStart {
  /** Lets go of what the restore did not take over (the archive failed to open, say). Safe to call twice. */
  dispose(): Promise<void>;
}

/** What a restore is about to write, after renames and selection, in the target's own names. */
export interface RestoreWritePlan {
  /** Every table (`schema.table`) or collection (`db.collection`) the restore writes. */
  units: string[];
  /** Those of them that exist in the target already and are dropped, emptied or written into. */
  replaced: string[];
  /**
   * Engine options for a backup of exactly {@link replaced} from the target
   * URL (the safety backup), so the caller needs no engine knowledge.
   */
  backupOptions: Record<string, unknown>;
}

export interface EngineRestoreResult {
  database: string;
  /** Rows or documents written, per stream name. */
  items: Record<string, number>;
  warnings: string[];
}

export interface Engine<BackupOptions = Record<string, unknown>, RestoreOptions = Record<string, unknown>> {
  readonly name: EngineName;
  /**
   * The table or collection a data stream holds (part of): engines may split
   * one over several streams, and only the engine knows how it names them.
   */
  unitOfStream(stream: string): string;
  /**
   * The schema description as it may be shown (`inspect --json`): anything
   * secret in it (passwords the database itself stores) masked. Absent: nothing to mask.
   */
  printableSchema?(schema: unknown): unknown;
  /**
   * The archive's table of contents (`inspect --list`): what a restore with
   * `selection` (the engine's restore options) would write, in restore order.
   * A promise where checking the schema may need to load zod.
   */
  describeContents(
    schema: unknown,
    streams: StreamSummary[],
    selection: RestoreOptions,
  ): ContentsEntry[] | Promise<ContentsEntry[]>;
  /**
   * The schema as the SQL a restore runs (`inspect --sql`), secrets masked.
   * Absent: the engine has no SQL.
   */
  schemaSql?(schema: unknown, selection: RestoreOptions): Promise<string[]>;
  backup(request: EngineBackupRequest<BackupOptions>): Promise<EngineBackupResult>;
  restore(request: EngineRestoreRequest<RestoreOptions>): Promise<EngineRestoreResult>;
  /**
   * What a restore keeps the archive's long schema lists as, as the footer is
   * parsed (see {@link ArrayItems}): its restore() takes the schema so read.
   * Absent: as parsed.
   */
  readonly restoreFooterItems?: ArrayItems;
  /**
   * Begins what a restore into `url` can do before the archive is read (connecting: round trips
   * and an authentication that the archive's opening and reading fill); handed to restore() as
   * {@link EngineRestoreRequest.started}. Absent: the engine starts with the archive read.
   */
  startRestore?(url: string, options: RestoreOptions, signal?: AbortSignal): RestoreStart;
  /**
   * Drops the target database of a restore that created it and then failed (see
   * {@link EngineRestoreRequest.onWriteBegun}), ending whatever sessions are still on it.
   * Throws a one-line error saying what is left when it cannot. Absent: the engine never creates one.
   */
  dropCreatedTarget?(url: string, signal?: AbortSignal): Promise<void>;
  /** Continuous backup (`stowage follow`) and point-in-time replay. Absent: the engine cannot be followed. */
  readonly follow?: EngineFollow;
  /**
   * Restores through template databases cached on the target server (`restore
   * --template-cache`). Absent: the engine's servers have no template databases.
   */
  readonly templateCache?: EngineTemplateCache<RestoreOptions>;
}

/** A restore through a cached template database: see engines/postgres/template-cache.ts. */
export interface TemplateRestoreRequest<Options = Record<string, unknown>>
  extends EngineRestoreRequest<Options> {
  /** A stable identity of what the restore loads (archive content and restore options), hex. */
  key: string;
  /** Where the archive came from, recorded on the template for people reading the server. */
  label: string;
}

export interface TemplateRestoreResult extends EngineRestoreResult {
  /** The template database the target was cloned from. */
  template: string;
  /** True when this restore loaded the archive into a new template; false: a clone of a cached one. */
  loaded: boolean;
}

/** One cached template database. */
export interface CachedTemplate {
  name: string;
  /** What the template says about itself (archive, key). */
  comment: string;
  bytes: number;
}

export interface EngineTemplateCache<RestoreOptions = Record<string, unknown>> {
  restore(request: TemplateRestoreRequest<RestoreOptions>): Promise<TemplateRestoreResult>;
  list(url: string, signal?: AbortSignal): Promise<CachedTemplate[]>;
  /** Drops the named cached templates (all of them when `names` is empty); returns those dropped. */
  drop(url: string, names: string[], signal?: AbortSignal): Promise<string[]>;
}

/** One line of an archive's table of contents. */
export interface ContentsEntry {
  /** When a restore writes it: `pre-data` (schema), `data`, `post-data` (indexes and the like). */
  section: string;
  /** What it is: `table`, `index`, `table-data`, `collection`, … */
  kind: string;
  /** Its qualified name (`schema.table`, `db.collection`, `db.collection.index`). */
  name: string;
  /** Rows or documents, for data. */
  items?: number;
  /** Bytes as archived (before compression), for data. */
  bytes?: number;
  /** Anything else worth a word (a table's parts, a sequence's value). */
  detail?: string;
}

// Continuous backup (issue 12): see docs/CONTINUOUS.md.

/** A position in an engine's change history: a PostgreSQL LSN ("16/B374D848"), a MongoDB oplog
 *  timestamp ("1700000000:5"). Opaque outside the engine; ordered by Engine.follow.compare. */
export type ChangePosition = string;

/** One committed transaction (PostgreSQL) or oplog entry group (MongoDB), whole. */
export interface ChangeTransaction {
  /** Where it ends: replaying everything up to and including this reproduces its commit. */
  position: ChangePosition;
  /** Commit time, ms since the epoch (server clock). */
  commitTime: number;
  /** The engine's own encoding of the whole transaction. Self-contained: replay needs no earlier
   *  payload (PostgreSQL: include the relation descriptions it uses). */
  payload: Buffer;
}

export interface ChangeFeedRequest<Options = Record<string, unknown>> {
  url: string;
  /** Engine backup options (selection), as for backup(). */
  options: Options;
  /** Names the server-side state of this chain (PostgreSQL: the slot and publication names are
   *  derived from it; `[a-z0-9_]`, ≤ 40 chars). */
  feedId: string;
  /** Resume after this position (the last durably stored one); absent: a new chain starting now. */
  resumeAfter?: ChangePosition;
  progress: ProgressListener;
  signal?: AbortSignal;
}

export interface ChangeFeed {
  /** Where this feed starts: the base's consistent point for a new chain, or resumeAfter. */
  readonly startPosition: ChangePosition;
  /** New chains only: the base backup, consistent with startPosition (no gap, no overlap). Takes
   *  the same request as Engine.backup minus url/options, which the feed already has. */
  takeBase(request: Omit<EngineBackupRequest, 'url' | 'options'>): Promise<EngineBackupResult>;
  /** The next committed transactions, in commit order; waits up to maxWaitMs for the first;
   *  resolves [] when none came. Throws ChainBroken when the chain cannot go on (DDL changed a
   *  followed table, a new table appeared, the slot is gone): the framework then starts a new chain. */
  read(maxWaitMs: number): Promise<ChangeTransaction[]>;
  /** Everything up to and including `position` is durably stored: the server may forget it. */
  confirm(position: ChangePosition): Promise<void>;
  /** Stops reading. `drop`: remove the server-side state (slot, publication) too. */
  close(options?: { drop?: boolean }): Promise<void>;
}

/** Thrown by ChangeFeed.read when the chain must end; `message` says why, for the user. */
export class ChainBroken extends Error {
  override name = 'ChainBroken';
}

export interface ReplayRequest<Options = Record<string, unknown>> {
  url: string;
  /** The chain's transactions after its base, in order, already cut at the --until bound. */
  transactions: AsyncIterable<ChangeTransaction>;
  /** The base's schema section (from its manifest), for type information. */
  schema: unknown;
  options: Options;
  progress: ProgressListener;
  signal?: AbortSignal;
}

export interface EngineFollow {
  open(request: ChangeFeedRequest): Promise<ChangeFeed>;
  /** Applies transactions to a database restored from the chain's base; each transaction whole
   *  (PostgreSQL: one database transaction each; idempotent is welcome, order is required). */
  replay(request: ReplayRequest): Promise<{ applied: number; last?: ChangePosition }>;
  /** <0, 0, >0 like a sort comparator. */
  compare(a: ChangePosition, b: ChangePosition): number;
  /** Reads a user's --until-lsn / --until-ts text into a position; throws UsageError if malformed. */
  parsePosition(text: string): ChangePosition;
  /** Checks the server can be followed (PostgreSQL: wal_level=logical, replica identities);
   *  throws a StowageError whose hint says exactly how to fix it. */
  preflight(url: string, options: Record<string, unknown>): Promise<void>;
}
