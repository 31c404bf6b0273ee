// Which `ALTER … OWNER TO` a restore may leave out: only those giving a table or sequence it
// created itself to the role it runs as.
import { describe, expect, it } from 'vitest';
import type { PgObject } from '../../src/engines/postgres/model.js';
import { isNoOpOwnerChange } from '../../src/engines/postgres/no-op-owner.js';
import { tableObject } from './restore-plan-fixtures.js';

const created = tableObject('t', ['CREATE TABLE public.t (id integer)']);

describe('isNoOpOwnerChange', () => {
  it('skips giving a table the restore created to the restoring role', () => {
    expect(isNoOpOwnerChange(created, 'ALTER TABLE public.t OWNER TO postgres', 'postgres')).toBe(true);
    expect(isNoOpOwnerChange(created, 'ALTER TABLE public.t OWNER TO "App"', 'App')).toBe(true);
    const unlogged = tableObject('u', ['CREATE UNLOGGED TABLE public.u (id integer)']);
    expect(isNoOpOwnerChange(unlogged, 'ALTER TABLE public.u OWNER TO me', 'me')).toBe(true);
    const sequence: PgObject = {
      ...created,
      id: 'sequence:public.s',
      kind: 'sequence',
      sql: ['CREATE SEQUENCE public.s'],
    };
    expect(isNoOpOwnerChange(sequence, 'ALTER SEQUENCE public.s OWNER TO me', 'me')).toBe(true);
  });

  it('keeps every other owner change', () => {
    // Another role, or a role name that only folds to the restorer's when unquoted.
    expect(isNoOpOwnerChange(created, 'ALTER TABLE public.t OWNER TO app', 'postgres')).toBe(false);
    expect(isNoOpOwnerChange(created, 'ALTER TABLE public.t OWNER TO "App"', 'app')).toBe(false);
    // Objects that may have existed before the restore, with an owner of their own.
    const schema: PgObject = {
      ...created,
      id: 'schema:s',
      kind: 'schema',
      sql: ['CREATE SCHEMA IF NOT EXISTS s'],
    };
    expect(isNoOpOwnerChange(schema, 'ALTER SCHEMA s OWNER TO me', 'me')).toBe(false);
    const maybe = tableObject('m', ['CREATE TABLE IF NOT EXISTS public.m (id integer)']);
    expect(isNoOpOwnerChange(maybe, 'ALTER TABLE public.m OWNER TO me', 'me')).toBe(false);
    const nothingCreated = tableObject('n', []);
    expect(isNoOpOwnerChange(nothingCreated, 'ALTER TABLE public.n OWNER TO me', 'me')).toBe(false);
    // Kinds whose creation this does not vouch for.
    const view: PgObject = {
      ...created,
      id: 'view:public.v',
      kind: 'view',
      sql: ['CREATE VIEW public.v AS SELECT 1'],
    };
    expect(isNoOpOwnerChange(view, 'ALTER VIEW public.v OWNER TO me', 'me')).toBe(false);
  });
});
