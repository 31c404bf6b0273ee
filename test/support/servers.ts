// Server URLs for tests, as found or started by test/global-setup.ts.
import { inject } from 'vitest';
import type { ServerInfo } from './provided.js';

export type { MongoCapabilities, MongoFeature, MongoFeatureSupport, ServerInfo } from './provided.js';

/** Superuser URL (with password) to the `postgres` database. */
export function pgUrl(): string {
  return inject('stowagePgUrl');
}

export function pgServer(): ServerInfo {
  return inject('stowagePgServer');
}

/** MongoDB-protocol URL (FerretDB, or MongoDB when provided), without a database in the path. */
export function mongoUrl(): string {
  const url = inject('stowageMongoUrl');
  if (!url) {
    throw new Error(
      'STOWAGE_SKIP_MONGO_TESTS=1: no MongoDB-protocol server in this run (vitest.config.ts excludes test files with "mongo" in their path)',
    );
  }
  return url;
}

/** Where the MongoDB-protocol server came from; null when STOWAGE_SKIP_MONGO_TESTS=1. */
export function mongoServer(): ServerInfo | null {
  return inject('stowageMongoServer');
}

/** True when the run was told to go without a MongoDB-protocol server (STOWAGE_SKIP_MONGO_TESTS=1). */
export function mongoTestsSkipped(): boolean {
  return inject('stowageMongoUrl') === '';
}
