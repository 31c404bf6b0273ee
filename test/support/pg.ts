// PostgreSQL helpers for tests: a fresh database per test, and a client that
// always gets closed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgUrl } from './servers.js';

export interface TestPgDatabase {
  /** URL with the same credentials as pgUrl(), pointing at the new database. */
  url: string;
  name: string;
  /** Drops the database, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

/** `url` with its database (path) replaced by `database`. */
export function pgUrlFor(database: string, url: string = pgUrl()): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The libpq `key=value` form of a test URL pointing at `database`, password quoted. */
export function keywordConnString(url: string, database: string): string {
  const u = new URL(url);
  const password = decodeURIComponent(u.password).replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return `host=${u.hostname} port=${u.port} user=${decodeURIComponent(u.username)} password='${password}' dbname=${database}`;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates an empty database with a unique name (`<prefix>_<random>`, lower
 * case, at most 63 bytes). It is made from template0 so that whatever a shared
 * server put in template1 does not show up in backups under test.
 */
export async function createPgDatabase(prefix = 'stowage_test'): Promise<TestPgDatabase> {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  const name = `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withPgClient(pgUrl(), (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`),
  );
  return {
    url: pgUrlFor(name),
    name,
    async drop() {
      const drop = () =>
        withPgClient(pgUrl(), (client) =>
          client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
        );
      try {
        await drop();
      } catch (error) {
        // 55006: the database has subscriptions (even FORCE refuses); drop them, then the database.
        if ((error as { code?: string }).code !== '55006') throw error;
        await dropSubscriptions(pgUrlFor(name));
        await drop();
      }
    },
  };
}

/** Runs `fn` with a connected client and closes it afterwards, whatever happens. */
export async function withPgClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
  config: pg.ClientConfig = {},
): Promise<T> {
  const client = new pg.Client({ ...config, connectionString: url });
  // A connection ended by the server (e.g. a forced DROP DATABASE) emits
  // 'error', which would crash the worker if unheard; the pending query
  // rejects with it anyway.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops the subscriptions of a database without contacting their publishers
 * (DROP DATABASE refuses while a database has any).
 */
export async function dropSubscriptions(url: string): Promise<void> {
  await withPgClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(subname) AS name FROM pg_subscription
       WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    for (const { name } of rows) {
      await client.query(`ALTER SUBSCRIPTION ${name} DISABLE`);
      await client.query(`ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`);
      await client.query(`DROP SUBSCRIPTION ${name}`);
    }
  });
}
