import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConnecting } from '../../src/engines/plugin.js';
import { postgres } from '../../src/engines/postgres/index.js';
import { openSourceConnection } from '../../src/engines/registry.js';
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
  /** Backs up the test database with two jobs through `connection`, into `name`; waits for its connections to close. */
  const backupThrough = async (connection: SourceConnecting, name: string) => {
    const summary = await backup({
      source: proxy.url,
      to: join(dir, name),
      jobs: 2,
      sourceConnection: connection,
    });
    expect(summary.items).toBe(20);
    await until(() => proxy.open === 0, 'the backup’s connections closed', 10_000);
    return summary;
  };

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

  it('takes over a first connection the caller opened before it (sourceConnection)', async () => {
    const before = proxy.accepted;
    // Through the plugin, as openSourceConnection does.
    const connection = postgres.probes.connectSource!(proxy.url, {});
    await connection.connected;
    expect(proxy.accepted - before).toBe(1);
    const summary = await backupThrough(connection, 'given');
    // That one and one data session: neither the preflight nor the engine opened another.
    expect(proxy.accepted - before).toBe(2);
    expect(summary.preflight.find((c) => c.check === 'source-reachable')?.status).toBe('ok');
  });

  it('opens the data session beside the first connection, before the backup starts', async () => {
    const before = proxy.accepted;
    const connection = postgres.probes.connectSource!(proxy.url, {}, undefined, 2);
    await connection.ready;
    // The leader and the data session a second job copies with: it authenticates while the
    // leader exports the snapshot, instead of after.
    await until(() => proxy.accepted - before === 2, 'the data session opened early', 10_000);
    await backupThrough(connection, 'data-early');
    // Taken over: no other session opened.
    expect(proxy.accepted - before).toBe(2);

    // None for one job or a schema-only backup; all closed when no backup takes them.
    for (const [options, jobs, count] of [
      [{}, 1, 1],
      [{ schemaOnly: true }, 2, 1],
      [{}, 3, 3],
    ] as const) {
      const at = proxy.accepted;
      const unused = postgres.probes.connectSource!(proxy.url, options, undefined, jobs);
      await unused.ready;
      await until(() => proxy.accepted - at === count, `${count} sessions opened`, 10_000);
      await unused.dispose();
      await until(() => proxy.open === 0, 'the unused sessions closed', 10_000);
      expect(proxy.accepted - at).toBe(count);
    }
  });

  it('closes a connection the caller opened when the backup stops before using it', async () => {
    const file = join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    const connection = openSourceConnection(proxy.url, {});
    await connection?.connected;
    expect(proxy.open).toBe(1);
    // Refused while resolving the destination, before the preflight or the engine are reached.
    const err = await backup({ source: proxy.url, to: file, sourceConnection: connection }).catch(
      (e: unknown) => e,
    );
    expect((err as StowageError).code).toBe('usage');
    await until(() => proxy.open === 0, 'the caller’s connection closed', 10_000);
  });

  it('reports a source that refuses the caller’s connection as it reports its own', async () => {
    // A port nothing listens on: a relay opened and closed again.
    const gone = await countingProxy(db.url);
    await gone.close();
    const failures = [];
    for (const given of [false, true]) {
      const connection = given ? openSourceConnection(gone.url, {}) : undefined;
      const err = await backup({
        source: gone.url,
        to: join(dir, 'refused'),
        sourceConnection: connection,
      }).then(
        () => undefined,
        (e: unknown) => e as StowageError,
      );
      failures.push({ code: err?.code, message: err?.message, hint: err?.hint });
    }
    expect(failures[0]).toMatchObject({
      code: 'db-unreachable',
      message: expect.stringMatching(/^cannot connect to /),
    });
    expect(failures[1]).toEqual(failures[0]);
    expect(
      (await readdir(join(dir, 'refused'))).filter((f) => f.endsWith('.stow') || f.endsWith('.partial')),
    ).toEqual([]);
  });

  it('begins the archive while the source still authenticates, and removes it when the source then fails', async () => {
    // The source's answer is held back (as a slow authentication would hold it): the archive's
    // `.partial` appears meanwhile, so the first statement goes out as soon as the source answers.
    const partials = async (repo: string) =>
      (await readdir(repo).catch(() => [] as string[])).filter(
        (f) => f.endsWith('.partial') || f.endsWith('.lock'),
      );
    const held = (fail?: Error) => {
      const connection = postgres.probes.connectSource!(proxy.url, {}) as SourceConnecting & {
        take(): Promise<unknown>;
      };
      let answer!: () => void;
      const answered = new Promise<void>((resolve) => {
        answer = resolve;
      });
      const ready = answered.then(() => (fail ? Promise.reject(fail) : connection.ready));
      ready.catch(() => {}); // the backup awaits it once it asks
      return {
        answer,
        connection: {
          connected: connection.connected,
          ready,
          take: () => connection.take(),
          dispose: () => connection.dispose(),
        },
      };
    };

    const slow = held();
    const repo = join(dir, 'begun-early');
    const running = backup({ source: proxy.url, to: repo, sourceConnection: slow.connection });
    running.catch(() => {}); // awaited below
    try {
      await until(
        async () => (await partials(repo)).length > 0,
        'the archive begun before the source answered',
        15_000,
      );
    } finally {
      slow.answer();
    }
    const summary = await running;
    expect(summary.items).toBe(20);
    expect(summary.preflight.find((c) => c.check === 'source-reachable')?.status).toBe('ok');
    expect(await partials(repo)).toEqual([]);

    const refusing = held(new Error('password authentication failed for user "postgres"'));
    const failed = join(dir, 'begun-then-refused');
    const stopped = backup({ source: proxy.url, to: failed, sourceConnection: refusing.connection });
    stopped.catch(() => {}); // awaited below
    await until(async () => (await partials(failed)).length > 0, 'the archive begun', 15_000);
    refusing.answer();
    const err = (await stopped.catch((e: unknown) => e)) as StowageError;
    expect(err.message).toMatch(/password authentication failed/);
    expect((await readdir(failed)).filter((f) => /\.stow(\.|$)/.test(f))).toEqual([]);
    await until(() => proxy.open === 0, 'the backup’s connections closed', 10_000);
  });
});
