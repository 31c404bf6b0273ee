// Continuous backup of PostgreSQL through crashes: `stowage follow` is killed
// with SIGKILL twice while a workload writes, then started again. The slot is
// confirmed only after a segment is published, so the server sends again what
// the killed process had read but not stored: the chain ends up with every
// transaction once, in order, and the latest restore equals the source.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChains } from '../../src/catalog/chains.js';
import { postgresFollow } from '../../src/engines/postgres/follow/index.js';
import { retireChain } from '../../src/ops/follow.js';
import { restoreUntil } from '../../src/ops/restore-until.js';
import { status } from '../../src/ops/status.js';
import { openRepository } from '../../src/store/open-repository.js';
import { FollowProcess } from '../support/follow-process.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { dropReplicationState, slotState } from '../support/replication-cleanup.js';
import { storedPositions } from '../support/stored-changes.js';
import { until } from '../support/until.js';
import { tableChecksums } from './support.js';

describe('follow on PostgreSQL killed with SIGKILL', () => {
  let source: TestPgDatabase;
  let target: TestPgDatabase | undefined;
  let repo: string;

  beforeAll(async () => {
    source = await createPgDatabase('follow_kill');
    repo = mkdtempSync(join(tmpdir(), 'stowage-follow-pg-kill-'));
    await withPgClient(source.url, (c) =>
      c.query(`
        CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
        CREATE TABLE moves (id serial PRIMARY KEY, account int REFERENCES accounts, amount bigint);
        INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, 20) g;`),
    );
  });

  afterAll(async () => {
    // The chain's slot and publication are this test's: the server must not keep WAL for them.
    if (source) await dropReplicationState(source.url);
    await target?.drop();
    await source?.drop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('restarts without gap or duplicate, and the latest restore equals the source', {
    timeout: 300_000,
  }, async () => {
    let writing = true;
    let n = 0;
    // Transactions over both tables: a move and the balance it changes commit together.
    const workload = withPgClient(source.url, async (c) => {
      while (writing) {
        n++;
        const account = (n % 20) + 1;
        await c.query('BEGIN');
        await c.query('INSERT INTO moves (account, amount) VALUES ($1, $2)', [account, n]);
        await c.query('UPDATE accounts SET balance = balance - $2 WHERE id = $1', [account, n]);
        await c.query('COMMIT');
        if (n % 9 === 0) await c.query('DELETE FROM moves WHERE id = $1', [n - 5]);
        await sleep(10);
      }
    });

    for (let kill = 0; kill < 2; kill++) {
      const run = new FollowProcess(source.url, repo);
      await until(
        () => run.segments() >= 1,
        async () => `a segment after start ${kill + 1}: ${run.describe()}; ${await slotState(source.url)}`,
      );
      await sleep(Math.floor(Math.random() * 1500));
      run.kill('SIGKILL');
      await run.exited;
    }
    const last = new FollowProcess(source.url, repo);
    await until(
      () => last.segments() >= 2,
      async () => `segments after the restarts: ${last.describe()}; ${await slotState(source.url)}`,
    );
    writing = false;
    await workload;
    // One more commit after the workload, so the stop's last look has something to store.
    await withPgClient(source.url, (c) => c.query('UPDATE accounts SET balance = 0 WHERE id = 1'));
    await sleep(1500);
    last.kill('SIGTERM');
    expect(await last.exited, last.log()).toBe(0);
    expect(last.events.filter((e) => e.type === 'chain-resumed')).toHaveLength(1);
    expect(last.events.filter((e) => e.type === 'chain-started')).toHaveLength(0);

    const repository = await openRepository(repo);
    const chains = await listChains(repository);
    await repository.close();
    expect(chains).toHaveLength(1);
    const chain = chains[0]!;
    expect(chain.gap).toBeUndefined();
    expect(chain.window?.usableSegments).toBe(chain.segments.length);
    const positions = await storedPositions(
      repo,
      chain.id,
      chain.segments.map((s) => s.name),
    );
    // The workload ran through every kill: hundreds of transactions after the base.
    expect(positions.length).toBeGreaterThan(100);
    for (let i = 1; i < positions.length; i++) {
      expect(
        postgresFollow.compare(positions[i - 1]!, positions[i]!),
        `${positions[i - 1]} then ${positions[i]}`,
      ).toBeLessThan(0);
    }

    target = await createPgDatabase('follow_kill_r');
    await restoreUntil({ repository: repo, target: target.url, until: 'latest', safetyBackup: false });
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));

    // Retiring the chain removes what keeps the server's WAL: the slot and the publication.
    const slots = (table: string, column: string) =>
      withPgClient(
        source.url,
        async (c) => (await c.query(`SELECT ${column} AS n FROM ${table}`)).rows.length,
      );
    expect(await slots('pg_replication_slots WHERE database = current_database()', 'slot_name')).toBe(1);
    // status names the slot, its chain and the WAL it holds.
    const health = await status({ repository: repo, servers: [source.url], maxLagMs: 3_600_000 });
    const slot = health.slots.find((s) => s.chain === chain.id);
    expect(slot).toMatchObject({ slot: chain.feedId, ok: true });
    expect(slot!.retainedBytes).toBeGreaterThanOrEqual(0);
    expect(await retireChain({ source: source.url, to: repo })).toBe(chain.id);
    expect(await slots('pg_replication_slots WHERE database = current_database()', 'slot_name')).toBe(0);
    expect(await slots('pg_publication', 'pubname')).toBe(0);
  });
});
