import type { CompressionLevel } from '../archive/frame-codec.js';
import type { Engine } from './engine.js';

/**
 * What Stowage knows about one engine (postgres, mongodb) without loading it:
 * the URLs it serves, its words, its defaults, its CLI flags and option keys,
 * and small questions to its servers. Each engine's `index.ts` exports one;
 * engines/registry.ts lists them, and nothing else in ops/ or cli/ names an
 * engine. Everything heavy (the driver, backup and restore) loads on first
 * use, through {@link EnginePlugin.load} or inside the probes, so
 * `stowage --version` or `--help` loads no driver.
 */
export interface EnginePlugin<Name extends string = string> {
  /** As stored in the manifest's `engine` field. */
  readonly name: Name;
  /** As people write it: `PostgreSQL`, `MongoDB`. */
  readonly label: string;
  /** URL schemes it serves, lower case, without the colon. */
  readonly schemes: readonly string[];
  /** A scheme-less connection string it reads all the same (libpq's `host=db dbname=shop`). */
  claimsUrl?(url: string): boolean;
  /** Those strings as a hint names them: `PostgreSQL key=value pairs ("host=db dbname=shop")`. */
  readonly otherUrlForms?: string;
  /** Schemes whose host is looked up elsewhere (DNS SRV records): never a server on this machine. */
  readonly remoteSchemes?: readonly string[];
  /** How a URL of it looks in a hint: `postgres://`. */
  readonly urlExample: string;
  /** The port a URL without one connects to, for messages naming the server. */
  readonly defaultPort: number;
  /** Its units and items, singular and plural: `table`/`tables`, `row`/`rows`. */
  readonly nouns: { unit: [string, string]; item: [string, string] };
  /** zstd level of a backup that sets none, measured on the engine's own data. */
  readonly defaultCompression: CompressionLevel;
  /**
   * Archive frames each stream reads ahead of the engine on restore. An engine
   * whose restore speed is set by the database, not by reading, keeps it low:
   * read-ahead is memory per open stream.
   */
  readonly restoreReadAhead: number;
  /**
   * The database a connection string names, read the way the driver will
   * (PostgreSQL: libpq's rules, with defaults); undefined when it names none.
   * Throws a UsageError for a string the engine cannot read.
   */
  databaseOfUrl(url: string): string | undefined;
  /** Its CLI flags, per command, and the option each one sets. */
  readonly flags: { backup: EngineFlag[]; restore: EngineFlag[]; inspect: EngineFlag[] };
  /** Every key its backup and restore options may hold: a config file's typo is an error. */
  readonly optionKeys: { backup: readonly string[]; restore: readonly string[] };
  readonly probes: DatabaseProbes;
  /**
   * Where `verify --restore-test` restores an archive holding `streams`, for
   * the scratch URL the user gave. Throws a UsageError for a scratch URL that
   * cannot serve (a MongoDB URL naming no database).
   */
  scratchPlan(scratch: string, streams: string[]): ScratchPlan;
  /** Cuts a data stream of this engine into its items (rows, documents), handing each to `onItem`. */
  itemSplitter(onItem: (item: Buffer) => void): ItemSplitter;
  /** Loads the engine's backup and restore (and its driver). */
  load(): Promise<Engine>;
  /** Continuous backup (`stowage follow`), for an engine whose engine object has `follow`. */
  readonly continuous?: ContinuousTraits;
}

/** What the CLI and `status` need to know of an engine's continuous backup without loading it. */
export interface ContinuousTraits {
  /** The `restore` flag that takes one of its change positions: `--until-lsn`, `--until-ts`. */
  readonly positionFlag: string;
  /**
   * The server-side state its chains keep (PostgreSQL: replication slots
   * holding WAL back), for `status --server`; absent when chains keep none.
   */
  serverState?(url: string): Promise<ChainServerState[]>;
}

/** One piece of server-side chain state, as `status` reports it. */
export interface ChainServerState {
  /** Its name on the server (the slot), which is also the chain's feed id. */
  slot: string;
  database: string;
  /** Something is reading it now. */
  active: boolean;
  /** Position confirmed as stored. */
  confirmedPosition: string | null;
  /** Bytes of change history the server keeps for it. */
  retainedBytes: number;
  /** `lost`: the server no longer has what the chain needs. */
  walStatus?: string;
}

/** One CLI flag of an engine and the option it sets. */
export interface EngineFlag {
  /** Commander's flag syntax: `--schema <pattern>`. */
  flags: string;
  /** Help text, without the engine's label (the CLI adds it). */
  description: string;
  /** Key in the engine's options object; also commander's camel-cased option name unless `from` says otherwise. */
  option: string;
  /** Commander's option name when it is not {@link option} (`--no-owner` is `owner`). */
  from?: string;
  repeatable?: boolean;
  /** Turns the raw flag value (a string, or strings when repeatable) into the option value. */
  parse?: (value: string | string[]) => unknown;
}

/** What a target database holds before a restore. */
export interface TargetContents {
  exists: boolean;
  /** Tables (PostgreSQL, outside system schemas) or collections (MongoDB). */
  objects: number;
  /** A few of their names, for the confirmation prompt. */
  sample: string[];
}

/**
 * Small direct questions to a server that operations ask before or after the
 * engine moves data (is it reachable, does a restore target hold data, drop a
 * scratch database). The engine connects and asks; ops/database-probe.ts
 * turns failures into one-line messages without the password.
 */
export interface DatabaseProbes {
  /**
   * Connects the way the engine connects for its own work. With `toDrop`, to
   * where the URL's database can be dropped from (PostgreSQL: its maintenance
   * database); a URL that names no database is then a UsageError. `signal` ends the attempt at
   * once, with its reason as the error.
   */
  connect(url: string, options?: { toDrop?: boolean; signal?: AbortSignal }): Promise<ProbeSession>;
  /** True for a connection error saying the URL's database does not exist: an empty target, not a failure. */
  isMissingDatabase(err: unknown): boolean;
  /**
   * Starts the backup's first connection to `url` (with the backup's engine options), for the
   * engine's backup to take over (its request's `source`): the preflight's
   * source check then waits on it instead of connecting on its own. Engines without it are
   * checked with {@link connect}. `jobs` (the backup's) lets an engine open its data sessions
   * beside the first connection too.
   */
  connectSource?(
    url: string,
    options: Record<string, unknown>,
    signal?: AbortSignal,
    jobs?: number,
  ): SourceConnecting;
}

/** A backup's first connection, being opened (see {@link DatabaseProbes.connectSource}). */
export interface SourceConnecting {
  /** Settles once connected (or not: the source is unreachable). */
  readonly connected: Promise<void>;
  /** The server's version, once it answered its first question (after {@link connected}). */
  readonly ready: Promise<string>;
  /** Closes the connection, unless the engine's backup took it over. */
  dispose(): Promise<void>;
}

/** One probe connection. */
export interface ProbeSession {
  serverVersion(): Promise<string>;
  /**
   * What the database the URL names holds; `databases` are those a restore
   * would write when the URL names none (a MongoDB restore of a deployment).
   */
  contents(databases: string[]): Promise<TargetContents>;
  /** Drops the URL's database (missing is fine); the session was opened with `toDrop`. */
  dropDatabase(): Promise<void>;
  close(): Promise<void>;
}

/** Where a test restore writes, and how what it wrote is compared with the archive. */
export interface ScratchPlan {
  /** One URL per scratch database written: each must be empty before, each is dropped after. */
  databases: string[];
  restoreUrl: string;
  /** Engine restore options the test restore needs. */
  restoreOptions: Record<string, unknown>;
  /** Where the comparison reads the restored data back from. */
  compareUrl: string;
  /** Engine backup options that read exactly the restored units back. */
  backupOptions: Record<string, unknown>;
  /** An archived unit's name in the scratch database. */
  rename: (unit: string) => string;
}

/** Cuts a stream into items incrementally. */
export interface ItemSplitter {
  push(chunk: Buffer): void;
  /** Ends the stream; returns a problem when bytes were left that form no whole item. */
  end(): string | undefined;
}
