import { describe, expect, it } from 'vitest';
import { shareArchivedStrings } from '../../src/engines/postgres/archived-strings.js';
import type { PgObject, PgTableData } from '../../src/engines/postgres/model.js';

/** A schema's objects and tables as the footer's JSON gives them: every value its own copy. */
function archived() {
  const objects = JSON.parse(
    JSON.stringify([
      {
        id: 'table:public.a',
        kind: 'table',
        relation: { schema: 'public', name: 'a' },
        deps: ['schema:public'],
      },
      { id: 'table:public.b', kind: 'table', relation: { schema: 'public', name: 'b' }, deps: [] },
      {
        id: 'foreign-key:public.b.b_a',
        kind: 'foreign-key',
        relation: { schema: 'public', name: 'b' },
        references: [{ schema: 'public', name: 'a' }],
        deps: ['table:public.b', 'table:public.a', 'not-archived:x'],
      },
      { id: 'schema:public', kind: 'schema', deps: [] },
    ]),
  ) as PgObject[];
  const column = (name: string, type: string) => ({ name, type });
  const tables = JSON.parse(
    JSON.stringify([
      { schema: 'public', name: 'a', columns: [column('id', 'integer'), column('label', 'text')] },
      { schema: 'public', name: 'b', columns: [column('id', 'integer'), column('label', 'integer')] },
    ]),
  ) as PgTableData[];
  return { objects, tables };
}

describe('shareArchivedStrings', () => {
  it('leaves every value as it was', () => {
    const { objects, tables } = archived();
    const before = JSON.stringify({ objects, tables });
    shareArchivedStrings(objects, tables);
    expect(JSON.stringify({ objects, tables })).toBe(before);
  });

  it('makes one reference object per relation, shared by the objects that name it', () => {
    const { objects } = archived();
    shareArchivedStrings(objects);
    const [a, b, fk] = objects as [PgObject, PgObject, PgObject];
    expect(fk.relation).toBe(b.relation);
    expect(fk.references?.[0]).toBe(a.relation);
    expect(a.relation).not.toBe(b.relation);
  });

  it('makes one column record per name and type, shared by the tables that have it', () => {
    const { objects, tables } = archived();
    shareArchivedStrings(objects, tables);
    const [a, b] = tables as [PgTableData, PgTableData];
    expect(b.columns[0]).toBe(a.columns[0]);
    // Same name, another type: a record of its own.
    expect(b.columns[1]).not.toBe(a.columns[1]);
    expect(b.columns[1]).toEqual({ name: 'label', type: 'integer' });
  });

  it('leaves a reference or column with more than its two keys as it is', () => {
    const { objects, tables } = archived();
    const odd = { schema: 'public', name: 'b', extra: 1 };
    (objects[2] as PgObject).references = [odd];
    const wide = { name: 'id', type: 'integer', more: true };
    (tables[1] as PgTableData).columns[0] = wide;
    shareArchivedStrings(objects, tables);
    expect((objects[2] as PgObject).references?.[0]).toBe(odd);
    expect((tables[1] as PgTableData).columns[0]).toBe(wide);
  });
});
