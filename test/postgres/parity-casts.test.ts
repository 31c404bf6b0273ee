// Parity for casts (fixture 21), and how casts, which belong to no schema,
// follow schema selection: a cast goes with the schemas of its types and function.
import { describe, expect, it } from 'vitest';
import { parsePostgresSchema } from '../../src/engines/postgres/model.js';
import { createPgDatabase, withPgClient } from '../support/pg.js';
import { parityTheme } from './parity-theme.js';
import { backupToMemory, restoreFromMemory } from './support.js';

const castIds = async (schema: unknown) =>
  (await parsePostgresSchema(schema)).objects
    .filter((o) => o.kind === 'cast')
    .map((o) => o.id)
    .sort();

async function userCasts(url: string): Promise<string[]> {
  return withPgClient(url, async (client) => {
    const { rows } = await client.query<{ c: string }>(
      `SELECT format_type(castsource, NULL) || ' -> ' || format_type(casttarget, NULL) AS c
       FROM pg_cast WHERE oid >= 16384 ORDER BY 1`,
    );
    return rows.map((r) => r.c);
  });
}

describe('parity: casts', () => {
  const theme = parityTheme('casts', ['21-casts']);

  it('a backup without the schema of its types or function leaves the cast out', async () => {
    const full = await backupToMemory(theme.source().url, {}, 1);
    expect(await castIds(full.result.schema)).toHaveLength(6);
    const partial = await backupToMemory(theme.source().url, { excludeSchemas: ['Casts'] }, 1);
    expect(await castIds(partial.result.schema)).toEqual(['cast:(tsquery AS bytea)']);
    expect(partial.result.warnings).toEqual([]);
  });

  it('a restore that leaves out the schema of its types or function leaves the cast out', async () => {
    const backup = await backupToMemory(theme.source().url, {}, 1);
    const target = await createPgDatabase('parity_casts_sel');
    try {
      await restoreFromMemory(target.url, backup, { excludeSchemas: ['Casts'] }, 2);
      expect(await userCasts(target.url)).toEqual(['tsquery -> bytea']);
    } finally {
      await target.drop();
    }
  });
});
