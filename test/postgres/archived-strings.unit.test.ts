import { describe, expect, it } from 'vitest';
import { shareArchivedStrings } from '../../src/engines/postgres/archived-strings.js';
import type { PgObject } from '../../src/engines/postgres/model.js';

describe('shareArchivedStrings', () => {
  it('leaves every value as it was', () => {
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
    const before = JSON.stringify(objects);
    shareArchivedStrings(objects);
    expect(JSON.stringify(objects)).toBe(before);
  });
});
