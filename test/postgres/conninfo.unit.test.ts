import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConnInfo, passwordFromFile, redactConnString } from '../../src/engines/postgres/conninfo.js';

// Connection strings and environment read the way libpq reads them. No server:
// what is checked is what the driver will be asked to connect to.

const dir = mkdtempSync(join(tmpdir(), 'stowage-conninfo-'));
const noFiles = { HOME: dir }; // no ~/.pgpass, no ~/.pg_service.conf
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('URLs', () => {
  it('take a Unix-socket folder from the query or percent-encoded in the host part', () => {
    const q = parseConnInfo('postgresql:///shop?host=/var/run/postgresql', noFiles);
    expect(q.hosts).toEqual([{ host: '/var/run/postgresql', port: 5432 }]);
    expect(q.database).toBe('shop');
    const enc = parseConnInfo('postgresql://root@%2Fvar%2Frun%2Fpostgresql:6000/shop', noFiles);
    expect(enc.hosts).toEqual([{ host: '/var/run/postgresql', port: 6000 }]);
    expect(enc.user).toBe('root');
  });

  it('default the user to the operating-system user and the database to the user, as libpq', () => {
    const info = parseConnInfo('postgresql://db.example', noFiles);
    expect(info.user).toBe(userInfo().username);
    expect(info.database).toBe(userInfo().username);
    expect(info.password).toBeUndefined();
  });

  it('take several hosts with their own ports, and IPv6 addresses in brackets', () => {
    const info = parseConnInfo('postgresql://a:5433,[::1]:5434,b/x', noFiles);
    expect(info.hosts).toEqual([
      { host: 'a', port: 5433 },
      { host: '::1', port: 5434 },
      { host: 'b', port: 5432 },
    ]);
  });

  it('decode user, password and database, and read query parameters', () => {
    const info = parseConnInfo(
      'postgres://us%40er:p%3Ass@h/d%2Fb?sslmode=verify-full&application_name=nightly&connect_timeout=7',
      noFiles,
    );
    expect(info).toMatchObject({
      user: 'us@er',
      password: 'p:ss',
      passwordFrom: 'string',
      database: 'd/b',
      sslmode: 'verify-full',
      applicationName: 'nightly',
      connectTimeout: 7,
    });
  });

  it('reject what libpq rejects, without echoing the password', () => {
    expect(() => parseConnInfo('postgres://u:secret@h:99999/d', noFiles)).toThrow(/invalid port/);
    expect(() => parseConnInfo('postgres://u:secret@h:99999/d', noFiles)).not.toThrow(/secret/);
    expect(() => parseConnInfo('postgres://h/d?sslmode=sometimes', noFiles)).toThrow(/unknown sslmode/);
  });
});

describe('key=value strings', () => {
  it('read unquoted and single-quoted values with escapes', () => {
    const info = parseConnInfo("host=db port=5433 dbname=shop user=app password='it\\'s s3cret'", noFiles);
    expect(info).toMatchObject({
      hosts: [{ host: 'db', port: 5433 }],
      database: 'shop',
      user: 'app',
      password: "it's s3cret",
    });
  });

  it('say where they cannot be read', () => {
    expect(() => parseConnInfo('host=db dbname', noFiles)).toThrow(/cannot read it at "dbname"/);
  });
});

describe('the environment and the service file', () => {
  it('fill what the string leaves out, the string winning', () => {
    const env = {
      ...noFiles,
      PGHOST: 'envhost',
      PGPORT: '6543',
      PGUSER: 'envuser',
      PGDATABASE: 'envdb',
      PGPASSWORD: 'pw',
    };
    expect(parseConnInfo('postgresql://', env)).toMatchObject({
      hosts: [{ host: 'envhost', port: 6543 }],
      user: 'envuser',
      database: 'envdb',
      password: 'pw',
      passwordFrom: 'environment',
    });
    expect(parseConnInfo('postgresql://other/x', env)).toMatchObject({
      hosts: [{ host: 'other', port: 6543 }],
      database: 'x',
    });
  });

  it('read a service from PGSERVICEFILE, below the string and above the environment', () => {
    const file = join(dir, 'services.conf');
    writeFileSync(file, '# services\n[prod]\nhost=prod-db\ndbname=shop\nuser=backup\n\n[other]\nhost=x\n');
    const env = { ...noFiles, PGSERVICEFILE: file, PGUSER: 'ignored' };
    expect(parseConnInfo('service=prod', env)).toMatchObject({
      hosts: [{ host: 'prod-db', port: 5432 }],
      database: 'shop',
      user: 'backup',
    });
    expect(parseConnInfo('postgresql:///copy?service=prod', env).database).toBe('copy');
    expect(() => parseConnInfo('service=missing', env)).toThrow(/service "missing" is not defined/);
  });
});

describe('the password file', () => {
  const passfile = join(dir, 'pgpass');
  writeFileSync(passfile, 'other:*:*:*:nope\n# comment\nlocalhost:5432:shop:app:sock\\:pw\n*:*:*:app:any\n');
  chmodSync(passfile, 0o600);

  it('matches host, port, database and user, with * and localhost for sockets', () => {
    expect(
      passwordFromFile(passfile, { host: '/var/run/postgresql', port: 5432, database: 'shop', user: 'app' }),
    ).toBe('sock:pw');
    expect(passwordFromFile(passfile, { host: 'db', port: 1, database: 'x', user: 'app' })).toBe('any');
    expect(
      passwordFromFile(passfile, { host: 'db', port: 1, database: 'x', user: 'nobody' }),
    ).toBeUndefined();
    const info = parseConnInfo('host=db user=app', { HOME: dir, PGPASSFILE: passfile });
    expect(info).toMatchObject({ password: 'any', passwordFrom: 'passfile' });
  });

  it('is ignored when others can read it, as libpq does', () => {
    const open = join(dir, 'pgpass-open');
    writeFileSync(open, '*:*:*:*:leaked\n');
    chmodSync(open, 0o644);
    expect(passwordFromFile(open, { host: 'h', port: 5432, database: 'd', user: 'u' })).toBeUndefined();
  });
});

describe('redaction', () => {
  it('hides passwords in URLs and key=value strings', () => {
    expect(redactConnString('postgres://u:secret@h/d')).toBe('postgres://u:***@h/d');
    expect(redactConnString('postgres://u@h/d?password=secret&x=1')).toBe(
      'postgres://u@h/d?password=***&x=1',
    );
    expect(redactConnString("host=h password='se cret' user=u")).toBe('host=h password=*** user=u');
  });
});
