import { describe, expect, it } from 'vitest';
import { foldColumnDefaults, withFoldedDefaults } from '../../src/engines/postgres/fold-defaults.js';
import type { PgObject } from '../../src/engines/postgres/model.js';
import { tableObject } from './restore-plan-fixtures.js';

const table = (name: string, create: string, deps = ['schema:public']): PgObject =>
  tableObject(name, [create], deps);

function columnDefault(tableName: string, column: string, expression: string, deps?: string[]): PgObject {
  return {
    id: `default:public.${tableName}.${column}`,
    kind: 'default',
    section: 'pre-data',
    schema: 'public',
    name: `${tableName}.${column}`,
    sql: [`ALTER TABLE ONLY public.${tableName} ALTER COLUMN ${column} SET DEFAULT ${expression}`],
    deps: deps ?? [`table:public.${tableName}`],
  };
}

const plain = (name: string) =>
  table(
    name,
    `CREATE TABLE public.${name} (\n    id integer NOT NULL,\n    "odd ""name""" text,\n    created timestamp with time zone NOT NULL\n)`,
  );

/** The statements of `table` as the restore sends them: its folded defaults written in. */
const withFolded = (table: PgObject | undefined, folded: Map<PgObject, readonly PgObject[]>) =>
  table ? withFoldedDefaults(table, folded.get(table) ?? []) : [];

/** The folded defaults' ids by their table's id. */
const foldedIds = (folded: Map<PgObject, readonly PgObject[]>) =>
  Object.fromEntries([...folded].map(([t, defaults]) => [t.id, defaults.map((d) => d.id)]));

describe('foldColumnDefaults', () => {
  it('writes a default that needs only its table into the CREATE TABLE, as pg_dump does', () => {
    const objects = [
      plain('t'),
      columnDefault('t', 'created', 'now()'),
      columnDefault('t', '"odd ""name"""', "'a, b'::text"),
      columnDefault('t', 'id', "nextval('public.t_id_seq'::regclass)", [
        'table:public.t',
        'sequence:public.t_id_seq',
      ]),
    ];
    const { objects: out, folded } = foldColumnDefaults(objects);
    expect(out.map((o) => o.id)).toEqual(['table:public.t', 'default:public.t.id']);
    expect(out[0]).toBe(objects[0]);
    expect(withFolded(out[0], folded)).toEqual([
      `CREATE TABLE public.t (\n    id integer NOT NULL,\n    "odd ""name""" text DEFAULT 'a, b'::text,\n    created timestamp with time zone NOT NULL DEFAULT now()\n)`,
    ]);
    expect(foldedIds(folded)).toEqual({
      'table:public.t': ['default:public.t.created', 'default:public.t."odd ""name"""'],
    });
    // The archive's objects are left as they were.
    expect(objects[0]?.sql[0]).not.toContain('DEFAULT');
  });

  it('leaves the defaults of tables other tables inherit from, and of tables of other shapes', () => {
    const parent = plain('parent');
    const child = table('child', 'CREATE TABLE public.child (\n    x integer\n)\nINHERITS (public.parent)', [
      'table:public.parent',
    ]);
    const partitioned = table('p', 'CREATE TABLE public.p (\n    at date\n) PARTITION BY RANGE (at)');
    const objects = [
      parent,
      child,
      partitioned,
      columnDefault('parent', 'created', 'now()'),
      columnDefault('child', 'x', '1'),
      columnDefault('p', 'at', 'CURRENT_DATE'),
      columnDefault('missing', 'x', '1'),
    ];
    const { objects: out, folded } = foldColumnDefaults(objects);
    expect(out).toEqual(objects);
    expect(folded.size).toBe(0);
  });

  it('leaves a default whose column line is not found or already has an expression', () => {
    const generated = table(
      'g',
      'CREATE TABLE public.g (\n    a integer,\n    b integer GENERATED ALWAYS AS (a * 2) STORED\n)',
    );
    const objects = [generated, columnDefault('g', 'b', '1'), columnDefault('g', 'c', '1')];
    expect(foldColumnDefaults(objects).objects).toEqual(objects);
  });
});

describe('foldColumnDefaults, lines found by search', () => {
  it('folds one default per column line, leaves a second one for the same column, and keeps tables without defaults as they are', () => {
    const other = plain('other');
    const objects = [
      plain('t'),
      other,
      columnDefault('t', 'id', '1'),
      { ...columnDefault('t', 'id', '2'), id: 'default:public.t.id again' },
      columnDefault('t', 'created', 'now()'),
    ];
    const { objects: out, folded } = foldColumnDefaults(objects);
    expect(out.map((o) => o.id)).toEqual([
      'table:public.t',
      'table:public.other',
      'default:public.t.id again',
    ]);
    expect(withFolded(out[0], folded)[0]).toBe(
      `CREATE TABLE public.t (\n    id integer NOT NULL DEFAULT 1,\n    "odd ""name""" text,\n    created timestamp with time zone NOT NULL DEFAULT now()\n)`,
    );
    expect(out[2]?.sql[0]).toContain('SET DEFAULT 2');
    expect(out[1]).toBe(other);
    expect(foldedIds(folded)).toEqual({
      'table:public.t': ['default:public.t.id', 'default:public.t.created'],
    });
  });

  it('leaves a default whose column starts two definition lines', () => {
    const twice = table('d', 'CREATE TABLE public.d (\n    a integer,\n    a text\n)');
    const objects = [twice, columnDefault('d', 'a', '1')];
    expect(foldColumnDefaults(objects).objects).toEqual(objects);
  });
});
