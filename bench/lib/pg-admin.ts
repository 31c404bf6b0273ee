import pg from 'pg';

/** The same server URL, naming another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs `fn` on a fresh connection to `url`, closed afterwards whatever happens. */
export async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops `database` (disconnecting its sessions) and creates it empty. */
export async function recreate(adminUrl: string, database: string): Promise<void> {
  await admin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${database}"`);
  });
}

/**
 * The server a PostgreSQL scenario runs against: `url` when given, else a
 * private one started from the installed binaries (the test harness knows
 * how), with `stop` to end it.
 */
export async function benchServer(
  url: string | undefined,
  log: (line: string) => void,
): Promise<{ url: string; stop?: () => Promise<void> }> {
  if (url) return { url };
  const { HarnessRoot, findPostgresBinDir, startLocalPostgres } = await import(
    '../../test/support/local-servers.js'
  );
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('no PostgreSQL binaries found: install postgresql or pass --set url=...');
  const root = new HarnessRoot();
  const started = await startLocalPostgres(root, binDir);
  log(`started ${started.version} (${started.details})`);
  return {
    url: started.url,
    async stop() {
      await started.stop();
      root.remove();
    },
  };
}
