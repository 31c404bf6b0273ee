// Schema statements go to the server in multi-statement batches; a failed batch is replayed
// object by object (apply-ddl.ts), for pre-data, post-data, owners and drops alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, terminated } from '../../src/engines/postgres/apply-ddl.js';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import type { PgObject } from '../../src/engines/postgres/model.js';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';
import { tableObject } from './restore-plan-fixtures.js';

const table = (name: string, sql: string[]): PgObject => tableObject(name, sql);

describe('applying schema objects in batches', () => {
  let db: TestPgDatabase;
  let session: PgSession;

  beforeAll(async () => {
    db = await createPgDatabase('pg_apply_ddl');
    session = await PgSession.open(parseTarget(db.url), { mode: 'restore', settings: { search_path: '' } });
  });
  afterAll(async () => {
    await session?.close();
    await db?.drop();
  });

  const apply = (objects: PgObject[], applied: string[]) =>
    applyObjects(session, objects, {
      batch: true,
      statements: (o) => o.sql,
      onApplied: (o) => applied.push(o.name),
      doing: (what) => `creating ${what}`,
    });

  const relations = async (names: string[]) =>
    (
      await session.query<{ relname: string }>(
        `SELECT relname FROM pg_catalog.pg_class WHERE relname = ANY($1) AND relnamespace = 'public'::regnamespace ORDER BY relname`,
        [names],
      )
    ).rows.map((r) => r.relname);

  it('succeeds when the batch fails but every object applies on its own (no transaction block allowed)', async () => {
    const applied: string[] = [];
    // CREATE INDEX CONCURRENTLY fails inside a multi-statement query (an implicit transaction block) and runs alone.
    await apply(
      [
        table('r1', ['CREATE TABLE public.r1 (a int)']),
        table('r1_a', ['CREATE INDEX CONCURRENTLY r1_a ON public.r1 (a)']),
        table('r2', ['CREATE TABLE public.r2 (a int);']),
      ],
      applied,
    );
    expect(applied).toEqual(['r1', 'r1_a', 'r2']);
    expect(await relations(['r1', 'r1_a', 'r2'])).toEqual(['r1', 'r1_a', 'r2']);
  });

  it('names the object that fails and keeps the ones before it', async () => {
    const applied: string[] = [];
    const failing = apply(
      [
        table('f1', ['CREATE TABLE public.f1 (a int)']),
        table('f2', ['CREATE TABLE public.f2 (a public.no_such_type)']),
        table('f3', ['CREATE TABLE public.f3 (a int)']),
      ],
      applied,
    );
    await expect(failing).rejects.toThrow(
      /creating table public\.f2.*no_such_type|no_such_type.*creating table public\.f2/s,
    );
    expect(applied).toEqual(['f1']);
    expect(await relations(['f1', 'f2', 'f3'])).toEqual(['f1']);
  });
});

describe('terminated', () => {
  it('ends a statement with one semicolon, a clause going in before it', () => {
    expect(terminated('CREATE TABLE t ()')).toBe('CREATE TABLE t ();');
    expect(terminated('CREATE TABLE t ();\n')).toBe('CREATE TABLE t ();\n');
    expect(
      terminated('ALTER TABLE ONLY t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES u;', ' NOT VALID'),
    ).toBe('ALTER TABLE ONLY t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES u NOT VALID;');
  });
});
