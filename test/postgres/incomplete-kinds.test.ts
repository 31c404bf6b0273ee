// What the PostgreSQL engine cannot carry is reported as incomplete (the
// backup then fails unless allowed), never dropped silently; what it can
// carry is not.
import { afterAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory } from './support.js';

const made: TestPgDatabase[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => d.drop()));
});

async function incompleteOf(sql: string): Promise<string[] | undefined> {
  const db = await createPgDatabase('pg_incomplete');
  made.push(db);
  await withPgClient(db.url, (c) => c.query(sql));
  return (await backupToMemory(db.url, {}, 1)).result.incomplete;
}

describe('incomplete PostgreSQL backups', () => {
  it('a database of supported kinds only is complete', async () => {
    expect(
      await incompleteOf(`
        CREATE EXTENSION postgres_fdw;
        CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw;
        CREATE FOREIGN TABLE ft (a int) SERVER s;
        CREATE TABLE t (a int PRIMARY KEY);
        CREATE PUBLICATION p FOR TABLE t;
        ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
        CREATE ACCESS METHOD twin TYPE TABLE HANDLER heap_tableam_handler;
        CREATE TYPE label;
        CREATE FUNCTION label_in(cstring) RETURNS label AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
        CREATE FUNCTION label_out(label) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
        CREATE TYPE label (INPUT = label_in, OUTPUT = label_out, LIKE = text);`),
    ).toEqual([]);
  });
});

describe('incomplete PostgreSQL backups by a role that may not see everything', () => {
  it('reports hidden user mapping options and unreadable subscriptions', async () => {
    const db = await createPgDatabase('pg_incomplete_role');
    try {
      await withPgClient(db.url, (c) =>
        c.query(`
          DO $$ BEGIN CREATE ROLE stowage_parity_limited_backup LOGIN PASSWORD 'limited'; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
          CREATE FOREIGN DATA WRAPPER w;
          CREATE SERVER s FOREIGN DATA WRAPPER w;
          CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (password 'hidden');
          CREATE SUBSCRIPTION feed CONNECTION 'dbname=nowhere' PUBLICATION p
            WITH (connect = false, slot_name = NONE, enabled = false);`),
      );
      const limited = new URL(db.url);
      limited.username = 'stowage_parity_limited_backup';
      limited.password = 'limited';
      const result = (await backupToMemory(limited.toString(), {}, 1)).result;
      expect(result.incomplete).toEqual([
        'user mapping options (hidden from this role; back up as superuser): 1',
        'subscriptions (reading them needs superuser): 1',
      ]);
    } finally {
      await db.drop();
    }
  });
});
