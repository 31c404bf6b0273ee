import { describe, expect, it } from 'vitest';
import type { PgObject } from '../../src/engines/postgres/model.js';
import { fitToServer } from '../../src/engines/postgres/target-version.js';

// A restore of 30,000 tables (a key, an index and a foreign key each: some 120,000 objects) failed
// in fitToServer with "Maximum call stack size exceeded": the lists were refilled with
// splice(0, n, ...items), whose spread arguments go on the stack.
describe('fitting a restore of some 150,000 objects to the server', () => {
  const many = (n: number, section: PgObject['section']): PgObject[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `table:app.t${i}`,
      kind: 'table',
      section,
      schema: 'app',
      name: `t${i}`,
      sql: [`CREATE TABLE app.t${i} (a integer)`],
      deps: [],
    }));
  const tables = (n: number) => Array.from({ length: n }, (_, i) => ({ schema: 'app', name: `t${i}` }));

  for (const [label, source, target] of [
    ['same version', 150004, 150004],
    ['to an older server', 150004, 130010],
  ] as const) {
    it(`keeps every object: ${label}`, () => {
      const preData = many(150_000, 'pre-data');
      const postData = many(10, 'post-data');
      const lists = {
        selection: { objects: [...preData, ...postData], tables: tables(150_000), sequences: [] } as never,
        objectLists: [preData, postData],
        tables: tables(150_000),
        sequences: [],
      };
      fitToServer(source, target, lists, { skip: false, owner: false }, []);
      expect(preData).toHaveLength(150_000);
      expect(preData[149_999]?.id).toBe('table:app.t149999');
      expect(lists.tables).toHaveLength(150_000);
    });
  }
});
