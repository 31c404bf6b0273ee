import type { MongoClient } from 'mongodb';
import type pg from 'pg';
import type { EngineName } from '../engines/engine.js';
import { databaseOfUrl, engineNameForUrl } from '../engines/registry.js';
import { StowageError, UsageError } from '../errors.js';
import { passwordSecrets, redactSecrets, redactUrl } from '../redact.js';

/**
 * Small direct questions to a database server that operations need before or
 * after the engines do their work: is it reachable, does the target hold
 * data already (restore safety), drop a scratch database (restore tests).
 * Kept apart from the engines, which only move data.
 */

const TIMEOUT_MS = 10_000;

/** What a target database holds before a restore. */
export interface TargetContents {
  exists: boolean;
  /** Tables (PostgreSQL, outside system schemas) or collections (MongoDB). */
  objects: number;
  /** A few of their names, for the confirmation prompt. */
  sample: string[];
}

/** Connects and runs a trivial command; throws a one-line StowageError when the server cannot be reached. */
export async function checkReachable(url: string): Promise<{ engine: EngineName; version: string }> {
  const engine = engineNameForUrl(url);
  if (engine === 'postgres') {
    return withPg(url, undefined, async (client) => {
      const res = await client.query<{ v: string }>('SHOW server_version');
      return { engine, version: res.rows[0]?.v ?? '?' };
    });
  }
  return withMongo(url, async (client) => {
    const info = (await client.db('admin').command({ buildInfo: 1 })) as { version?: string };
    return { engine, version: info.version ?? '?' };
  });
}

/**
 * What the database a URL names holds. For MongoDB, `databases` lists the
 * databases a restore would write (the URL names none when restoring a
 * whole deployment).
 */
export async function inspectTarget(url: string, databases: string[] = []): Promise<TargetContents> {
  const engine = engineNameForUrl(url);
  if (engine === 'postgres') {
    let exists = true;
    const contents = await withPg(url, undefined, async (client) => {
      const res = await client.query<{ name: string; total: string }>(
        `SELECT n.nspname || '.' || c.relname AS name, count(*) OVER () AS total
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'm')
            AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg\\_%'
          ORDER BY 1 LIMIT 5`,
      );
      return { exists: true, objects: Number(res.rows[0]?.total ?? 0), sample: res.rows.map((r) => r.name) };
    }).catch((err: unknown) => {
      // 3D000 invalid_catalog_name: the database does not exist yet, which is an empty target.
      if ((err as { cause?: { code?: string } }).cause?.code === '3D000') {
        exists = false;
        return undefined;
      }
      throw err;
    });
    if (!exists || !contents) return { exists: false, objects: 0, sample: [] };
    return contents;
  }
  return withMongo(url, async (client) => {
    const named = mongoDatabase(url);
    const wanted = named ? [named] : databases;
    let objects = 0;
    const sample: string[] = [];
    let exists = false;
    const present = new Set(
      ((await client.db('admin').admin().listDatabases({ nameOnly: true })).databases ?? []).map(
        (d) => d.name,
      ),
    );
    for (const db of wanted) {
      if (!present.has(db)) continue;
      exists = true;
      const collections = await client.db(db).listCollections({}, { nameOnly: true }).toArray();
      const user = collections.filter((c) => !c.name.startsWith('system.'));
      objects += user.length;
      for (const c of user.slice(0, 5 - sample.length)) sample.push(`${db}.${c.name}`);
    }
    return { exists, objects, sample };
  });
}

/** Drops a database (a restore test's scratch database). Missing is fine. */
export async function dropDatabase(url: string): Promise<void> {
  const engine = engineNameForUrl(url);
  if (engine === 'postgres') {
    const database = pgDatabase(url);
    await withPg(url, MAINTENANCE_DATABASE, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    });
    return;
  }
  const db = mongoDatabase(url);
  if (!db) throw new UsageError(`no database named in ${redactUrl(url)}`);
  await withMongo(url, async (client) => {
    await client.db(db).dropDatabase();
  });
}

/** The PostgreSQL database a connection string names (libpq's rules: default, the user name). */
export function pgDatabase(url: string): string {
  return databaseOfUrl(url) ?? 'postgres';
}

/** The MongoDB database a URL's path names, if any. */
export function mongoDatabase(url: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(url);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

/** The server's `postgres` database, from which other databases can be created and dropped. */
const MAINTENANCE_DATABASE = 'postgres';

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs `fn` on a connection opened the way the engine opens its own (libpq's
 * connection strings, environment, password file and sslmode), to the URL's
 * database or to `database`.
 */
async function withPg<T>(
  url: string,
  database: string | undefined,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  // Drivers load on demand: a PostgreSQL backup should not carry the MongoDB driver in memory, nor the reverse.
  const { PgSession, parseTarget, withDatabase } = await import('../engines/postgres/connect.js');
  const target = parseTarget(url);
  let session: Awaited<ReturnType<typeof PgSession.open>> | undefined;
  return withConnection(
    url,
    undefined,
    async () => {
      session = await PgSession.open(database ? withDatabase(target, database) : target, { mode: 'restore' });
    },
    async () => session?.close(),
    () => fn((session as Awaited<ReturnType<typeof PgSession.open>>).client),
  );
}

async function withMongo<T>(url: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const { MongoClient: Client } = await import('mongodb');
  const client = new Client(url, { serverSelectionTimeoutMS: TIMEOUT_MS, connectTimeoutMS: TIMEOUT_MS });
  return withConnection(
    url,
    client,
    () => client.connect(),
    () => client.close(),
    fn,
  );
}

/** Connects, runs `fn`, always disconnects; errors come out as one-line messages without the password. */
async function withConnection<C, T>(
  url: string,
  client: C,
  connect: () => Promise<unknown>,
  disconnect: () => Promise<unknown>,
  fn: (client: C) => Promise<T>,
): Promise<T> {
  try {
    await connect();
  } catch (err) {
    await disconnect().catch(() => {});
    throw unreachable(err, url);
  }
  try {
    return await fn(client);
  } catch (err) {
    throw clean(err, url);
  } finally {
    await disconnect().catch(() => {});
  }
}

function secretsOf(url: string): string[] {
  return passwordSecrets(url);
}

function unreachable(err: unknown, url: string): StowageError {
  if (err instanceof UsageError) return err;
  // The engine's own connection error says it all already; keep its driver cause for the detail.
  if (err instanceof StowageError && err.cause) err = err.cause;
  const detail = redactSecrets(err instanceof Error ? err.message : String(err), secretsOf(url)).split(
    '\n',
  )[0];
  return new StowageError(
    'db-unreachable',
    `cannot connect to ${redactUrl(url)}: ${detail}`,
    'check the host, port, credentials and that the server is running',
    { cause: err },
  );
}

function clean(err: unknown, url: string): Error {
  if (err instanceof StowageError) return err;
  const detail = redactSecrets(err instanceof Error ? err.message : String(err), secretsOf(url)).split(
    '\n',
  )[0];
  return new StowageError('db-error', `${redactUrl(url)}: ${detail}`, undefined, { cause: err });
}
