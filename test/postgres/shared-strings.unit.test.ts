// The schema model's repeated names are pooled (issue 14: memory with 20,000 tables): every
// catalog row brings its own copy of `public` and of column names and types, and the model is
// kept to the end of the backup. Equal strings compare equal either way: the test asks V8
// whether they are one string, and that the JSON written is unchanged.
import { describe, expect, it } from 'vitest';
import { shareStrings } from '../../src/engines/postgres/introspect/shared-strings.js';
import type { PgObject, PgTableData } from '../../src/engines/postgres/model.js';
import { isSameString } from '../support/v8-strings.js';

/** A new string with the text of `text` (as each row of the driver gives one). */
const copy = (text: string) => [...text].join('');

function model(): { objects: PgObject[]; tables: PgTableData[] } {
  const objects: PgObject[] = [];
  const tables: PgTableData[] = [];
  for (let i = 0; i < 3; i++) {
    const name = `t${i}`;
    objects.push({
      id: `table:public.${name}`,
      kind: 'table',
      section: 'pre-data',
      schema: copy('public'),
      name,
      relation: { schema: copy('public'), name },
      sql: [`CREATE TABLE public.${name} ()`],
      deps: ['schema:public'],
    });
    objects.push({
      id: `foreign-key:public.${name}.fk`,
      kind: 'foreign-key',
      section: 'post-data',
      schema: copy('public'),
      name: 'fk',
      relation: { schema: copy('public'), name },
      references: [{ schema: copy('public'), name: 't0' }],
      sql: [],
      deps: [`table:public.${name}`],
    });
    tables.push({
      streams: [`data/public.${name}`],
      schema: copy('public'),
      name,
      columns: [
        { name: copy('id'), type: copy('integer') },
        { name: copy('created'), type: copy('timestamp with time zone') },
      ],
      format: 'binary',
      estimatedRows: 0,
      estimatedBytes: 0,
      identityAlways: false,
    });
  }
  const schema = objects.find((o) => o.kind === 'table')!;
  objects.unshift({
    ...schema,
    id: 'schema:public',
    kind: 'schema',
    schema: null,
    relation: undefined,
    deps: [],
  });
  return { objects, tables };
}

describe('shareStrings', () => {
  it.skipIf(!isSameString)('makes the repeated schema, column names and types one string each', () => {
    const same = isSameString!;
    const { objects, tables } = model();
    const publics = () => [
      ...objects.flatMap((o) => [o.schema, o.relation?.schema, ...(o.references ?? []).map((r) => r.schema)]),
      ...tables.map((t) => t.schema),
    ];
    const before = publics().filter((s): s is string => typeof s === 'string');
    // Separate strings to begin with, as the driver's rows give them.
    expect(same(before[0]!, before[1]!)).toBe(false);
    shareStrings(objects, tables);
    const after = publics().filter((s): s is string => typeof s === 'string');
    expect(after.length).toBe(before.length);
    for (const s of after) expect(same(s, after[0]!)).toBe(true);
    for (const field of ['name', 'type'] as const) {
      for (let c = 0; c < 2; c++) {
        for (const t of tables) expect(same(t.columns[c]![field], tables[0]!.columns[c]![field])).toBe(true);
      }
    }
  });

  it('leaves the JSON as it was, and objects without fields they did not have', () => {
    const { objects, tables } = model();
    const text = JSON.stringify({ objects, tables });
    const keys = objects.map((o) => Object.keys(o));
    shareStrings(objects, tables);
    expect(JSON.stringify({ objects, tables })).toBe(text);
    expect(objects.map((o) => Object.keys(o))).toEqual(keys);
  });
});
