import { describe, expect, it } from 'vitest';
import { connectionNames, redactConnection, redactPassword } from '../../src/redact.js';

// How a connection's password is masked in messages (docs/ERRORS.md, "Passwords in messages").

describe('a password where it stands as a credential', () => {
  it('is masked whatever its length, in URLs, key=value strings and variables', () => {
    for (const pw of ['pw', 'shop', 'x9!']) {
      expect(redactPassword(`failed for postgres://u:${pw}@h/shop`, pw, ['u', 'shop', 'h'])).toBe(
        'failed for postgres://u:***@h/shop',
      );
      expect(redactPassword(`bad: host=h password=${pw} dbname=d`, pw, [])).toBe(
        'bad: host=h password=*** dbname=d',
      );
      expect(redactPassword(`env PGPASSWORD=${pw} was set`, pw, [])).toBe('env PGPASSWORD=*** was set');
      expect(redactPassword(`{"password":"${pw}"}`, pw, [])).toBe('{"password":"***"}');
    }
  });

  it('is masked percent-encoded too, and so is any other password in those forms', () => {
    expect(redactPassword('at mongodb://u:p%40ss@h/', 'p@ss', [])).toBe('at mongodb://u:***@h/');
    expect(redactPassword('other postgres://a:zz@h/ and password=yy', 'pw', [])).toBe(
      'other postgres://a:***@h/ and password=***',
    );
    expect(redactPassword("password='q w' AWS_SECRET_ACCESS_KEY=abc", undefined, [])).toBe(
      'password=*** AWS_SECRET_ACCESS_KEY=***',
    );
  });
});

describe('a password in free text', () => {
  it('of 8 characters or more is masked anywhere, a server may echo it', () => {
    const pw = 'correct-horse';
    expect(redactPassword(`syntax error at or near "${pw}"`, pw, ['app', 'shop', 'db'])).toBe(
      'syntax error at or near "***"',
    );
    expect(redactPassword(`near "${encodeURIComponent('p@ss word!')}"`, 'p@ss word!', [])).toBe('near "***"');
  });

  it('shorter is masked where it stands alone, a server may echo it too', () => {
    for (const pw of ['pw', 'x9!', 'hunter2', '1234']) {
      expect(redactPassword(`syntax error at or near "${pw}"`, pw, ['app', 'shop', 'db'])).toBe(
        'syntax error at or near "***"',
      );
      expect(redactPassword(`${pw} was refused; (${pw})`, pw, [])).toBe('*** was refused; (***)');
    }
    expect(redactPassword(`near ${encodeURIComponent('p@s')}`, 'p@s', [])).toBe('near ***');
    expect(redactConnection('password "sesame" rejected', 'mongodb://app:sesame@db/shop')).toBe(
      'password "***" rejected',
    );
  });

  it('shorter is not masked inside a longer word or number', () => {
    expect(redactPassword('connection refused on port 51234', 'on', [])).toBe(
      'connection refused *** port 51234',
    );
    expect(redactPassword('connection refused on port 51234', '1234', [])).toBe(
      'connection refused on port 51234',
    );
    expect(redactPassword('table shop_items, near shop', 'shop', [])).toBe('table shop_items, near ***');
  });

  it('shorter inside a name leaves the name whole and is masked elsewhere', () => {
    expect(
      redactConnection('database "shop-eu" does not exist; near shop', 'postgres://app:shop@db/shop-eu'),
    ).toBe('database "shop-eu" does not exist; near ***');
  });

  it('shorter and equal to a name shown beside it stays: database and user names are not masked', () => {
    expect(redactConnection('database "shop" does not exist', 'postgres://app:shop@db/shop')).toBe(
      'database "shop" does not exist',
    );
    expect(redactConnection('role "postgres" has no access', 'postgres://postgres:postgres@db/x')).toBe(
      'role "postgres" has no access',
    );
  });

  it('equal to the user, database or host name stays, whatever its length', () => {
    const url = 'postgres://inventory:warehouse_prod@db/warehouse_prod';
    expect(redactConnection('database "warehouse_prod" does not exist', url)).toBe(
      'database "warehouse_prod" does not exist',
    );
    expect(redactConnection(`cannot connect to ${url}`, url)).toBe(
      'cannot connect to postgres://inventory:***@db/warehouse_prod',
    );
  });

  it('inside a name leaves the name whole and is masked elsewhere', () => {
    const url = 'postgres://app:inventory@db/inventory_test';
    expect(redactConnection('database "inventory_test" does not exist; inventory', url)).toBe(
      'database "inventory_test" does not exist; ***',
    );
  });
});

describe('connectionNames', () => {
  it('reads user, hosts and database from URLs and key=value strings', () => {
    expect(connectionNames('postgres://u%40x:pw@db1,db2:5433/my%20db?host=/tmp&user=q')).toEqual([
      'u@x',
      'db1',
      'db2',
      'my db',
      '/tmp',
      'q',
    ]);
    expect(connectionNames("host=db user=app password=pw dbname='my shop'")).toEqual([
      'db',
      'app',
      'my shop',
    ]);
    expect(connectionNames('mongodb://[::1]:27017/shop')).toEqual(['::1', 'shop']);
  });
});
