// The PostgreSQL client tools bench --compare runs get the connection through
// PG* variables read by the engine's own parser: key=value strings and URLs
// alike, the password never in an argument.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnInfo } from '../../src/engines/postgres/conninfo.js';
import { dbnameArgument, libpqConnection } from '../../src/ops/libpq-environment.js';

const bare = { HOME: '/nonexistent' };

describe('libpq environment for the native tools', () => {
  it('reads a key=value string: host, port, user, password and database', () => {
    const c = libpqConnection("host=db.example port=6543 user=app password='s3 cret' dbname=shop", bare);
    expect(c.database).toBe('shop');
    expect(c.env).toMatchObject({
      PGHOST: 'db.example',
      PGPORT: '6543',
      PGUSER: 'app',
      PGPASSWORD: 's3 cret',
      PGDATABASE: 'shop',
    });
  });

  it('reads a URL with several hosts and a percent-encoded password', () => {
    const c = libpqConnection('postgres://app:p%40ss@a:5433,b:5434/shop?sslmode=require', bare);
    expect(c.env).toMatchObject({
      PGHOST: 'a,b',
      PGPORT: '5433,5434',
      PGPASSWORD: 'p@ss',
      PGSSLMODE: 'require',
      PGDATABASE: 'shop',
    });
  });

  it('resolves an inherited service itself and does not hand it on, so the string keeps the upper hand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'libpq-env-'));
    try {
      const file = join(dir, 'pg_service.conf');
      writeFileSync(file, '[shared]\nhost=service-host\nport=7000\ndbname=service_db\n');
      const c = libpqConnection('host=db dbname=shop user=app', {
        ...bare,
        PGSERVICE: 'shared',
        PGSERVICEFILE: file,
        PGPASSWORD: 'from-env',
      });
      expect(c.env).toMatchObject({
        PGHOST: 'db',
        PGPORT: '7000',
        PGDATABASE: 'shop',
        PGPASSWORD: 'from-env',
      });
      // Handed on, libpq would rank the service above PGHOST/PGDATABASE and connect elsewhere.
      expect(c.env.PGSERVICE).toBeUndefined();
      expect(c.env.PGSERVICEFILE).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands on every parameter it read, so the tools read the same connection back from the environment', () => {
    const url =
      "host=a,b port=5433,5434 user=app password='p w' dbname=shop sslmode=verify-full sslrootcert=/ca.pem " +
      "sslcert=/c.pem sslkey=/k.pem application_name=nightly connect_timeout=7 options='-c search_path=x'";
    const given = parseConnInfo(url, bare);
    // Any keyword string needs one keyword; this one repeats a value the environment also has.
    const readBack = parseConnInfo("sslmode='verify-full'", libpqConnection(url, bare).env);
    expect(readBack).toEqual({ ...given, passwordFrom: 'environment' });
  });

  it('names a database alone in key=value form, quoted, so it is never read as a connection string', () => {
    expect(dbnameArgument('postgres')).toBe("dbname='postgres'");
    expect(dbnameArgument("a=b 'c'")).toBe("dbname='a=b \\'c\\''");
  });
});
