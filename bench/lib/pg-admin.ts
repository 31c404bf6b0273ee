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

/**
 * What a restore must reproduce in schema `public`, counted: tables, indexes,
 * constraints by kind, column defaults and rows. Two tools restoring the same
 * database must leave equal shapes, or their times are not comparable.
 */
export async function publicShape(url: string): Promise<string> {
  return admin(url, async (c) => {
    const { rows } = await c.query<{ shape: string }>(`
      SELECT format('%s tables, %s indexes, %s primary keys, %s foreign keys, %s other constraints, %s defaults, %s rows',
        (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')),
        (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('i', 'I')),
        (SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'p'),
        (SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'f'),
        (SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype NOT IN ('p', 'f')),
        (SELECT count(*) FROM pg_attrdef d JOIN pg_class r ON r.oid = d.adrelid WHERE r.relnamespace = 'public'::regnamespace),
        (SELECT coalesce(sum((xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', relname), false, true, '')))[1]::text::bigint), 0)
           FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r')) AS shape`);
    return rows[0]?.shape ?? '';
  });
}

/** Throws unless the database at `url` has the shape `expected` ({@link publicShape}): the run restored everything. */
export async function requireShape(url: string, expected: string, what: string): Promise<void> {
  const shape = await publicShape(url);
  if (shape !== expected) throw new Error(`${what} left ${shape}; the source has ${expected}`);
}
