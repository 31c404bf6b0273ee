// A backup's sessions run without JIT (issue 14, many tables): the catalog queries' estimated costs
// pass jit_above_cost once a database has a few thousand objects, and the server then spent longer
// compiling them than running them. `jit` is PostgreSQL 11's, so it is set where the server has it
// and skipped where it does not, in the round trip that applies the other settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_SETTINGS_IF_KNOWN, openBackupLeader } from '../../src/engines/postgres/backup-leader.js';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('backup_session_settings');
});

afterAll(async () => {
  await db?.drop();
});

/** The session's `jit`, or undefined on a server without it (before PostgreSQL 11). */
async function jitOf(session: PgSession): Promise<string | undefined> {
  const { rows } = await session.query<{ jit: string | null }>(
    `SELECT pg_catalog.current_setting('jit', true) AS jit`,
  );
  return rows[0]?.jit ?? undefined;
}

describe('backup session settings', () => {
  it('turn JIT off on the leader where the server has it', async () => {
    const leader = await openBackupLeader(parseTarget(db.url), {});
    try {
      const jit = await jitOf(leader.session);
      if (leader.server.versionNum >= 110000) expect(jit).toBe('off');
      else expect(jit).toBeUndefined();
    } finally {
      await leader.session.close();
    }
  });

  it('skip a setting the server does not have and apply the rest', async () => {
    const session = await PgSession.open(parseTarget(db.url), {
      mode: 'backup',
      settings: { search_path: '' },
      settingsIfKnown: { stowage_no_such_setting: 'on', ...BACKUP_SETTINGS_IF_KNOWN },
    });
    try {
      const { rows } = await session.query<{ path: string }>(
        `SELECT pg_catalog.current_setting('search_path') AS path`,
      );
      expect(rows[0]?.path).toBe('');
      const jit = await jitOf(session);
      if (jit !== undefined) expect(jit).toBe('off');
      const { rows: unknown } = await session.query<{ value: string | null }>(
        `SELECT pg_catalog.current_setting('stowage_no_such_setting', true) AS value`,
      );
      expect(unknown[0]?.value).toBeNull();
    } finally {
      await session.close();
    }
  });
});
