// Values the global setup (test/global-setup.ts) hands to every test worker.
// Kept free of runtime imports so both the global setup (main process) and the
// test-side helpers (workers) can use it.

/** Whether the server accepts a feature and gives the data back unchanged, as measured by the probe. */
export interface MongoFeatureSupport {
  /** Arrays directly inside arrays, e.g. `{ a: [[1, 2]] }`. */
  nestedArrays: boolean;
  /** Double NaN stored and read back. */
  nan: boolean;
  /** Double +/-Infinity stored and read back. */
  infinity: boolean;
  /** Double -0.0 read back as -0.0 (not 0.0). */
  negativeZero: boolean;
  decimal128: boolean;
  /** BSON JavaScript code (type 0x0D). */
  javascript: boolean;
  /** BSON JavaScript code with scope (type 0x0F). */
  javascriptWithScope: boolean;
  /** MinKey and MaxKey. */
  minMaxKey: boolean;
  /** Deprecated BSON symbol (type 0x0E). */
  symbol: boolean;
  /** DBRef sub-documents (`{ $ref, $id }`), which need `$`-prefixed field names. */
  dbRef: boolean;
  /** Field names containing `.`. */
  dottedFieldNames: boolean;
  /** Field names starting with `$` (other than DBRef's). */
  dollarFieldNames: boolean;
  views: boolean;
  /** `validator` on createCollection. */
  validators: boolean;
  /** Collection default `collation`. */
  collation: boolean;
  timeseries: boolean;
  /** Capped collections, with `capped`/`size` kept in listCollections options. */
  cappedCollections: boolean;
  /** Clustered collections, with `clusteredIndex` kept in listCollections options. */
  clusteredCollections: boolean;
  uniqueIndexes: boolean;
  compoundIndexes: boolean;
  sparseIndexes: boolean;
  textIndexes: boolean;
  geoIndexes: boolean;
  hashedIndexes: boolean;
  ttlIndexes: boolean;
  partialIndexes: boolean;
  wildcardIndexes: boolean;
  /** Index-level collation. */
  indexCollation: boolean;
  transactions: boolean;
  changeStreams: boolean;
  /** usersInfo/createUser. */
  users: boolean;
}

export type MongoFeature = keyof MongoFeatureSupport;

export interface MongoCapabilities {
  server: 'mongodb' | 'ferretdb';
  /** The server's own version: FerretDB's (e.g. `v1.24.2`) or MongoDB's (e.g. `7.0.14`). */
  version: string;
  /** What buildInfo.version says; FerretDB pretends to be a MongoDB version here. */
  reportedMongoVersion: string;
  /** hello reports a replica set name. */
  replicaSet: boolean;
  supports: MongoFeatureSupport;
  /** Per unsupported feature: the error the server gave, for skip messages. */
  failures: Partial<Record<MongoFeature, string>>;
}

export type ServerOrigin = 'env' | 'local' | 'container';

export interface ServerInfo {
  origin: ServerOrigin;
  /** Human-readable, e.g. `PostgreSQL 15.18`. */
  version: string;
}

declare module 'vitest' {
  interface ProvidedContext {
    stowagePgUrl: string;
    stowagePgServer: ServerInfo;
    /** Empty when STOWAGE_SKIP_MONGO_TESTS=1. */
    stowageMongoUrl: string;
    stowageMongoServer: ServerInfo | null;
    stowageMongoCapabilities: MongoCapabilities | null;
  }
}
