// Which servers the engine accepts, and how a restore fits an archive to an
// older target. The version matrix (test/versions/) runs these end to end on
// real servers of every major version; these pin the rules themselves.
import { describe, expect, it } from 'vitest';
import type { PgObject } from '../../src/engines/postgres/model.js';
import { requireSupportedServer } from '../../src/engines/postgres/server-info.js';
import { fitToServer, majorVersionName } from '../../src/engines/postgres/target-version.js';
import { StowageError } from '../../src/errors.js';

describe('the oldest supported server', () => {
  it('refuses a server older than 9.6, naming the oldest supported version', () => {
    let error: unknown;
    try {
      requireSupportedServer({ version: '9.5.25', versionNum: 90525 }, '127.0.0.1:5432');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StowageError);
    expect((error as StowageError).message).toBe(
      'PostgreSQL 9.5.25 at 127.0.0.1:5432 is too old: the oldest version stowage supports is PostgreSQL 9.6',
    );
  });

  it('accepts 9.6 and everything newer', () => {
    for (const versionNum of [90600, 100023, 110022, 180001]) {
      expect(() => requireSupportedServer({ version: String(versionNum), versionNum }, 'x')).not.toThrow();
    }
  });

  it('names major versions as PostgreSQL does', () => {
    expect([90624, 100023, 170007].map(majorVersionName)).toEqual(['9.6', '10', '17']);
  });
});

const object = (id: string, kind: PgObject['kind'], sql: string[], deps: string[] = []): PgObject => ({
  id,
  kind,
  section: kind === 'index' || kind === 'trigger' ? 'post-data' : 'pre-data',
  schema: 'app',
  name: id.split(':')[1]?.replace('app.', '') ?? id,
  sql,
  deps,
});

function lists(objects: PgObject[]) {
  const tables = [
    { schema: 'app', name: 'g' },
    { schema: 'app', name: 't' },
  ];
  const sequences = [{ schema: 'app', name: 'g_id_seq', relation: { schema: 'app', name: 'g' } }];
  const preData = objects.filter((o) => o.section === 'pre-data');
  const postData = objects.filter((o) => o.section === 'post-data');
  return {
    selection: { objects: [...objects], tables: [...tables], sequences: [...sequences] } as never,
    objectLists: [preData, postData],
    tables: [...tables],
    sequences: [...sequences],
    preData,
    postData,
  };
}

describe('fitting a restore to an older server', () => {
  const objects = [
    object('table:app.g', 'table', [
      'CREATE TABLE app.g (a integer, b integer GENERATED ALWAYS AS ((a * 2)) STORED)',
    ]),
    object('table:app.t', 'table', ['CREATE TABLE app.t (a integer)']),
    object('sequence:app.s', 'sequence', ['CREATE SEQUENCE app.s AS integer START WITH 1 INCREMENT BY 1']),
    object('index:app.g_a', 'index', ['CREATE INDEX g_a ON app.g USING btree (a)'], ['table:app.g']),
    object('trigger:app.t_x', 'trigger', [
      'CREATE TRIGGER x BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f()',
    ]),
  ];

  it('refuses before anything is applied, naming the object, the feature and the target', () => {
    const l = lists(objects);
    expect(() => fitToServer(150004, 110022, l, { skip: false, owner: false }, [])).toThrow(
      'cannot restore this PostgreSQL 15 backup into PostgreSQL 11, which lacks what this object needs: table app.g uses generated columns (PostgreSQL 12+)',
    );
  });

  it('with skipping: leaves out the object, what depends on it, its rows and its sequences, with warnings', () => {
    const l = lists(objects);
    const warnings: string[] = [];
    const fit = fitToServer(150004, 110022, l, { skip: true, owner: false }, warnings);
    expect(fit.pair).toBe('PostgreSQL 15 → PostgreSQL 11');
    expect(l.preData.map((o) => o.id)).toEqual(['table:app.t', 'sequence:app.s']);
    expect(l.postData.map((o) => o.id)).toEqual(['trigger:app.t_x']);
    expect(l.tables).toEqual([{ schema: 'app', name: 't' }]);
    expect(l.sequences).toEqual([]);
    expect(warnings).toEqual([
      'table app.g left out: it uses generated columns, which PostgreSQL 11 lacks',
      'index app.g_a left out: it depends on table app.g, which PostgreSQL 11 cannot hold',
    ]);
  });

  it('adapts statements to the older spelling', () => {
    const l = lists(objects.filter((o) => o.id !== 'table:app.g' && o.id !== 'index:app.g_a'));
    fitToServer(150004, 90624, l, { skip: false, owner: false }, []);
    expect(l.preData.find((o) => o.kind === 'sequence')?.sql).toEqual([
      'CREATE SEQUENCE app.s START WITH 1 INCREMENT BY 1',
    ]);
    expect(l.postData[0]?.sql).toEqual([
      'CREATE TRIGGER x BEFORE INSERT ON app.t FOR EACH ROW EXECUTE PROCEDURE app.f()',
    ]);
  });

  it('a grant of a privilege the target lacks costs only that grant, and only when grants are restored', () => {
    const table = {
      ...object('table:app.t', 'table', ['CREATE TABLE app.t (a integer)']),
      acl: ['GRANT SELECT ON TABLE app.t TO r', 'GRANT MAINTAIN ON TABLE app.t TO r'],
    };
    expect(() =>
      fitToServer(170002, 160004, lists([table]), { skip: false, owner: false }, []),
    ).not.toThrow();
    expect(() => fitToServer(170002, 160004, lists([table]), { skip: false, owner: true }, [])).toThrow(
      'table app.t has a grant of the MAINTAIN privilege (PostgreSQL 17+)',
    );
    const l = lists([table]);
    const warnings: string[] = [];
    fitToServer(170002, 160004, l, { skip: true, owner: true }, warnings);
    expect(l.preData[0]?.acl).toEqual(['GRANT SELECT ON TABLE app.t TO r']);
    expect(warnings).toEqual([
      '1 grant(s) on table app.t left out: the MAINTAIN privilege, which PostgreSQL 16 lacks',
    ]);
  });

  it('spells routines as functions in comments, ownership, grants and drops before 11', () => {
    const fn = {
      ...object('function:app.f', 'function', [
        'CREATE FUNCTION app.f() …',
        'COMMENT ON ROUTINE app.f() IS $$x$$',
      ]),
      owner: ['ALTER ROUTINE app.f() OWNER TO r'],
      acl: ['GRANT ALL ON ROUTINE app.f() TO r'],
      drop: 'DROP ROUTINE IF EXISTS app.f()',
    };
    const l = lists([fn]);
    fitToServer(110022, 100023, l, { skip: false, owner: true }, []);
    expect(l.preData[0]).toMatchObject({
      sql: ['CREATE FUNCTION app.f() …', 'COMMENT ON FUNCTION app.f() IS $$x$$'],
      owner: ['ALTER FUNCTION app.f() OWNER TO r'],
      acl: ['GRANT ALL ON FUNCTION app.f() TO r'],
      drop: 'DROP FUNCTION IF EXISTS app.f()',
    });
  });

  it('changes nothing into the same or a newer version', () => {
    const l = lists(objects);
    expect(fitToServer(110022, 150004, l, { skip: false, owner: false }, [])).toEqual({
      pair: 'PostgreSQL 11 → PostgreSQL 15',
    });
    expect(l.preData).toHaveLength(3);
    expect(fitToServer(150004, 150010, lists(objects), { skip: false, owner: false }, [])).toEqual({});
  });

  it('fits hundreds of thousands of objects (a schema of 50,000 tables) to a newer and an older server', () => {
    // Lists were once refilled with splice(0, n, ...items): spread arguments overflow the stack past ~120k.
    const many = Array.from({ length: 250_000 }, (_, i) =>
      object(`table:app.t${i}`, 'table', [`CREATE TABLE app.t${i} (a integer)`]),
    );
    const newer = lists(many);
    expect(() => fitToServer(150004, 160000, newer, { skip: false, owner: false }, [])).not.toThrow();
    expect(newer.preData).toHaveLength(250_000);
    expect(newer.preData[0]).toBe(many[0]);
    const older = lists(many);
    expect(() => fitToServer(150004, 100023, older, { skip: true, owner: false }, [])).not.toThrow();
    expect(older.preData).toHaveLength(250_000);
  });
});
