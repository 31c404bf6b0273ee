import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StowageError } from '../../src/errors.js';
import { backup } from '../../src/ops/backup.js';
import { type CountingProxy, countingProxy } from '../support/counting-proxy.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { until } from '../support/until.js';

// What a small backup pays before its data: every connection is a backend started and an
// authentication, round trips in series at the start of the run.
let dir: string;
let db: TestPgDatabase;
let proxy: CountingProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-backup-connections-'));
  db = await createPgDatabase('stowage_backup_connections');
  await withPgClient(db.url, (c) =>
    c.query(`CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a SELECT generate_series(1, 10);
             CREATE TABLE b (id int PRIMARY KEY); INSERT INTO b SELECT generate_series(1, 10);`),
  );
  proxy = await countingProxy(db.url);
});
afterAll(async () => {
  await proxy?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('connections of a PostgreSQL backup', () => {
  it('checks the source in the preflight through the backup’s own first connection', async () => {
    const before = proxy.accepted;
    const summary = await backup({ source: proxy.url, to: join(dir, 'repo'), jobs: 2 });
    // One per job: the preflight opened none of its own.
    expect(proxy.accepted - before).toBe(2);
    expect(summary.preflight.find((c) => c.check === 'source-reachable')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/^postgres 1\d/),
    });
    expect(summary.items).toBe(20);
    await until(() => proxy.open === 0, 'the backup’s connections closed', 10_000);
  });

  it('gives that connection the backup’s engine options (a lock timeout)', async () => {
    await withPgClient(db.url, async (holder) => {
      await holder.query('BEGIN; LOCK TABLE public.a IN ACCESS EXCLUSIVE MODE');
      try {
        const err = await backup({
          source: proxy.url,
          to: join(dir, 'locked'),
          engineOptions: { lockTimeoutMs: 200 },
        }).catch((e: unknown) => e);
        expect((err as StowageError).code).toBe('pg-lock-timeout');
      } finally {
        await holder.query('ROLLBACK');
      }
    });
    await until(() => proxy.open === 0, 'the backup’s connections closed', 10_000);
  });

  it('closes that connection when the preflight refuses the backup', async () => {
    const repo = join(dir, 'full');
    const err = await backup({
      source: proxy.url,
      to: repo,
      preflight: { abortBelowBytes: Number.MAX_SAFE_INTEGER },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/a backup needs at least/);
    expect((await readdir(repo)).filter((f) => f.endsWith('.stow') || f.endsWith('.partial'))).toEqual([]);
    await until(() => proxy.open === 0, 'the early connection closed', 10_000);
  });
});
