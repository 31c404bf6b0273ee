// The INSERT data path (for targets without COPY FROM STDIN) and restores
// across server versions: PostgreSQL 15 → PGlite (PostgreSQL 18) → PostgreSQL 15.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSchema } from '../../src/engines/postgres/model.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { type PgliteServer, startPglite } from './pglite.js';
import {
  backupToMemory,
  catalogSnapshot,
  loadFixtures,
  restoreFromMemory,
  sequenceValues,
  tableChecksums,
} from './support.js';

describe('INSERT data path and cross-version restore', () => {
  let source: TestPgDatabase;
  let backup: Awaited<ReturnType<typeof backupToMemory>>;
  const created: TestPgDatabase[] = [];
  let sourceData: Record<string, string>;

  beforeAll(async () => {
    source = await createPgDatabase('pg_ins_src');
    await loadFixtures(source.url);
    backup = await backupToMemory(source.url);
    sourceData = await tableChecksums(source.url);
  });
  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
  });

  it('restores every table with batched INSERTs when asked', async () => {
    const target = await createPgDatabase('pg_ins_pg');
    created.push(target);
    const result = await restoreFromMemory(target.url, backup, { insertMode: 'insert', owner: true }, 2);
    expect(result.items['app.big']).toBe(150000);
    expect(await tableChecksums(target.url)).toEqual(sourceData);
    expect(await catalogSnapshot(target.url, true)).toEqual(await catalogSnapshot(source.url, true));
  });

  describe('PGlite', () => {
    let pglite: PgliteServer;
    beforeAll(async () => {
      pglite = await startPglite();
    });
    afterAll(() => pglite?.stop());

    it('restores into PGlite (PostgreSQL 18) through INSERT, detected automatically', async () => {
      const result = await restoreFromMemory(pglite.url, backup, { owner: true }, 4);
      expect(result.warnings).toEqual([]);
      expect(await tableChecksums(pglite.url)).toEqual(sourceData);
      expect(await sequenceValues(pglite.url)).toEqual(await sequenceValues(source.url));
      // Every relation, index and routine made it, whatever the version-specific catalog details.
      const names = async (url: string) =>
        (await catalogSnapshot(url))
          .filter((l) => /^(relation|index|routine|type|trigger|policy) /.test(l))
          .map((l) => l.split(' ').slice(0, 2).join(' '));
      expect(await names(pglite.url)).toEqual(await names(source.url));
    });

    it('backs up from PGlite and restores into PostgreSQL 15 exactly as the original', async () => {
      const fromPglite = await backupToMemory(pglite.url, {}, 2);
      expect((fromPglite.result.schema as PostgresSchema).server.versionNum).toBeGreaterThanOrEqual(180000);
      expect(fromPglite.result.pointInTime).toBe(true);
      const target = await createPgDatabase('pg_ins_back');
      created.push(target);
      const result = await restoreFromMemory(target.url, fromPglite, { owner: true }, 2);
      expect(result.warnings).toEqual([]);
      expect(await tableChecksums(target.url)).toEqual(sourceData);
      expect(await catalogSnapshot(target.url, true)).toEqual(await catalogSnapshot(source.url, true));
      await withPgClient(target.url, async (client) => {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM app.big`);
        expect(rows[0]?.n).toBe(150000);
      });
    });
  });
});
