// Foreign-data wrappers, servers, user mappings (options included, as pg_dump
// dumps them), foreign tables with column options (no rows copied) and
// extension comments.
import { expect } from 'vitest';
import { withPgClient } from '../support/pg.js';
import { describeParityTheme } from './parity-theme.js';

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
