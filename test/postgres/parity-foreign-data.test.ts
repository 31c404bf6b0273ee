// Foreign-data wrappers, servers, user mappings (options included, as pg_dump
// dumps them), foreign tables with column options (no rows copied) and
// extension comments.
import { afterAll, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { loadParityFixtures, parityFixtures } from './parity.js';
import { describeParityTheme } from './parity-theme.js';
import { backupToMemory } from './support.js';

describeParityTheme('foreign data', {
  fixtures: ['30-'],
  run: { restore: { owner: true } },
  check: async (_source, target) => {
    // User mapping options are restored exactly (pg_dump --schema-only shows none of them).
    const options = await withPgClient(target, async (client) =>
      (
        await client.query<{ o: string }>(
          `SELECT srvname || ' ' || usename || ' ' || coalesce(array_to_string(umoptions, ','), '') AS o
           FROM pg_user_mappings ORDER BY 1`,
        )
      ).rows.map((r) => r.o),
    );
    expect(options).toEqual([
      'Remote Shop public user=anon',
      'Remote Shop stowage_parity_fdw_user user=shop_reader,password=not-a-real-secret',
      expect.stringMatching(/^plain_server \S+ $/),
    ]);
  },
});

const made: TestPgDatabase[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => d.drop()));
});

it('copies no rows of foreign tables, as pg_dump (they live on the foreign server)', async () => {
  const db = await createPgDatabase('parity_fdw_data');
  made.push(db);
  await loadParityFixtures(db.url, parityFixtures(['30-']));
  const { streams, result } = await backupToMemory(db.url, {}, 2);
  expect(result.incomplete).toEqual([]);
  const schema = result.schema as {
    tables: { schema: string; name: string }[];
    objects: { kind: string; name: string }[];
  };
  expect(schema.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['Remote Things.events_now']);
  expect(
    streams
      .reader()
      .list()
      .map((s) => s.name),
  ).toEqual(['"Remote Things".events_now']);
  expect(
    schema.objects
      .filter((o) => o.kind === 'foreign-table')
      .map((o) => o.name)
      .sort(),
  ).toEqual(['Orders', 'events_old', 'plain_file']);
});
