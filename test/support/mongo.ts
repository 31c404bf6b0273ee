// MongoDB-protocol helpers for tests, and the capability probe's answers so
// tests can skip exactly what the server (FerretDB in CI) cannot do.
import { randomBytes } from 'node:crypto';
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { inject, type TestContext } from 'vitest';
import type { MongoCapabilities, MongoFeature } from './provided.js';
import { mongoUrl } from './servers.js';

export type { MongoCapabilities, MongoFeature, MongoFeatureSupport } from './provided.js';

/**
 * A database name no other test uses: `<prefix>_<random>`, at most 38 bytes of
 * `[a-z0-9_]`, which both MongoDB and FerretDB accept.
 */
export function uniqueMongoDbName(prefix = 'stowage_test'): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  return `${clean}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/**
 * mongoUrl() with `dbName` as the database in the path; credentials, hosts and
 * query are kept. When the URL has credentials but no authSource, the original
 * auth database is pinned, since the driver would otherwise authenticate
 * against `dbName`.
 */
export function mongoUrlFor(dbName: string, url: string = mongoUrl()): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/.exec(url);
  if (!match) throw new Error(`not a MongoDB URL: ${url}`);
  const [, scheme, authority = '', path = '', query = ''] = match;
  const params = new URLSearchParams(query);
  if (authority.includes('@') && !params.has('authSource')) {
    params.set('authSource', path ? decodeURIComponent(path) : 'admin');
  }
  const search = params.toString();
  return `${scheme}${authority}/${encodeURIComponent(dbName)}${search ? `?${search}` : ''}`;
}

/** Runs `fn` with a connected client (to `url`, default mongoUrl()) and closes it afterwards. */
export async function withMongoClient<T>(
  fn: (client: MongoClient) => Promise<T>,
  url: string = mongoUrl(),
  options: MongoClientOptions = {},
): Promise<T> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 15_000, ...options });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * What the server is and what it really supports. Measured once per run by
 * the global setup (test/support/mongo-probe.ts), which tries every feature
 * against the server; see `failures` for the server's own words.
 */
export async function mongoCapabilities(): Promise<MongoCapabilities> {
  return mongoCapabilitiesNow();
}

/** Synchronous mongoCapabilities(), for `it.skipIf(...)` and `describe.skipIf(...)`. */
export function mongoCapabilitiesNow(): MongoCapabilities {
  const caps = inject('stowageMongoCapabilities');
  if (!caps) {
    mongoUrl(); // throws the STOWAGE_SKIP_MONGO_TESTS explanation
    throw new Error('the global setup did not probe the MongoDB-protocol server');
  }
  return caps;
}

export function isFerretDB(): boolean {
  return mongoCapabilitiesNow().server === 'ferretdb';
}

function skip(ctx: TestContext, why: string): never {
  const caps = mongoCapabilitiesNow();
  const line = `skipped on ${caps.server === 'ferretdb' ? 'FerretDB' : 'MongoDB'} ${caps.version}: ${why}`;
  console.warn(`[stowage-test] "${ctx.task.name}" ${line}`);
  ctx.skip(line);
}

/**
 * Skips the current test when, and only when, the server is FerretDB; prints
 * why. Call first thing in the test: `skipOnFerretDB(ctx, 'no views')`.
 */
export function skipOnFerretDB(ctx: TestContext, reason: string): void {
  if (isFerretDB()) skip(ctx, reason);
}

/**
 * Skips the current test when the probe found `feature` unsupported (on any
 * server, e.g. transactions on a standalone MongoDB); prints the server's
 * error. Prefer this over skipOnFerretDB when the test needs one feature.
 */
export function skipUnlessMongoSupports(ctx: TestContext, feature: MongoFeature, reason?: string): void {
  const caps = mongoCapabilitiesNow();
  if (caps.supports[feature]) return;
  const failure = caps.failures[feature];
  skip(ctx, `${reason ?? `needs ${feature}`} (probe: ${failure ?? 'unsupported'})`);
}
