// A CHECK constraint added after the data without ONLY (a NOT VALID check on
// an inheritance parent, fixtures/postgres/parity/15-*) reaches the parent's
// children: it must wait for every table's rows, not only its own table's,
// or a child's COPY scheduled after it fails on the old rows it excuses.
import { describe, expect, it } from 'vitest';
import type { PgObject, PostgresSchema } from '../../src/engines/postgres/model.js';
import { ALL_DATA, planRestore, planSchedule } from '../../src/engines/postgres/restore-plan.js';
import { table } from './restore-plan-fixtures.js';

const rel = (name: string) => ({ schema: 'public', name });
const constraint = (id: string, sql: string): PgObject => ({
  id,
  kind: 'constraint',
  section: 'post-data',
  schema: 'public',
  name: id,
  relation: rel('base'),
  sql: [sql],
  deps: [],
});

describe('restore plan: checks that reach inheritance children', () => {
  const schema: PostgresSchema = {
    format: 'stowage-postgres',
    version: 2,
    server: { version: '15.0', versionNum: 150000 },
    database: { name: 'src', encoding: 'UTF8' },
    contents: 'full',
    objects: [
      constraint(
        'constraint:base.positive',
        'ALTER TABLE public.base ADD CONSTRAINT positive CHECK (v > 0) NOT VALID',
      ),
      constraint(
        'constraint:base.pkey',
        'ALTER TABLE ONLY public.base ADD CONSTRAINT base_pkey PRIMARY KEY (id)',
      ),
    ],
    tables: [table('base'), table('kid')],
    sequences: [],
    partitions: [],
  };
  const streams = schema.tables.map((t) => ({ name: t.streams[0] as string, items: 1, rawBytes: 10 }));
  const tasks = planSchedule(planRestore(schema, {}, streams, []), schema.partitions);
  const deps = (id: string) => {
    const t = tasks.find((t) => t.id === id);
    return t && [...t.deps, ...t.after];
  };

  it('a check added without ONLY waits for all rows; one added with ONLY for its own table only', () => {
    expect(deps('constraint:base.positive')).toEqual([ALL_DATA]);
    expect(deps(ALL_DATA)?.sort()).toEqual(['public.base', 'public.kid']);
    expect(deps('constraint:base.pkey')).toEqual(['public.base']);
  });
});
