// Continuous backup of PostgreSQL through a server restart: `stowage follow`
// runs while a workload writes, the server is restarted (fast shutdown: every
// session cut), and follow either goes on or ends with one clear error line;
// started again, it resumes its chain. Nothing committed is lost: the latest
// restore equals the source, and the chain has no gap.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChains } from '../../src/catalog/chains.js';
import { restoreUntil } from '../../src/ops/restore-until.js';
import { openRepository } from '../../src/store/open-repository.js';
import { FollowProcess } from '../support/follow-process.js';
import { pgUrlFor, withPgClient } from '../support/pg.js';
import { installedPgVersions, type RunningPg, startPgVersion } from '../support/pg-versions.js';
import { until } from '../support/until.js';
import { tableChecksums } from './support.js';

const install = installedPgVersions().find((i) => i.major === '15') ?? installedPgVersions().at(-1);

describe.skipIf(!install)('follow on PostgreSQL through a server restart', () => {
  let server: RunningPg;
  let source: string;
  let repo: string;

  beforeAll(async () => {
    server = await startPgVersion(install!);
    source = pgUrlFor('shop', server.url);
    await withPgClient(server.url, (c) => c.query('CREATE DATABASE shop'));
    await withPgClient(source, (c) =>
      c.query(`
        CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
        CREATE TABLE moves (id serial PRIMARY KEY, account int REFERENCES accounts, amount bigint);
        INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, 20) g;`),
    );
    repo = mkdtempSync(join(tmpdir(), 'stowage-follow-pg-restart-'));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('loses nothing: follow goes on or says why it stopped, and resumes its chain', {
    timeout: 300_000,
  }, async () => {
    let writing = true;
    let committed = 0;
    // Each transaction on a fresh connection, so the workload itself rides through the restart.
    const workload = (async () => {
      for (let n = 1; writing; n++) {
        const account = (n % 20) + 1;
        try {
          await withPgClient(source, async (c) => {
            await c.query('BEGIN');
            await c.query('INSERT INTO moves (account, amount) VALUES ($1, $2)', [account, n]);
            await c.query('UPDATE accounts SET balance = balance - $2 WHERE id = $1', [account, n]);
            await c.query('COMMIT');
          });
          committed++;
        } catch {
          await sleep(200); // the server is restarting
        }
        await sleep(20);
      }
    })();

    const first = new FollowProcess(source, repo);
    await until(
      () => first.segments() >= 1,
      () => `a first segment: ${first.describe()}`,
    );
    const beforeRestart = committed;
    await server.restart();
    await until(() => committed > beforeRestart + 20, 'writes after the restart');
    // Either follow rode through (it publishes again) or it ended with exit 1 and one error line.
    const outcome = await Promise.race([
      first.exited.then((code) => ({ exited: code })),
      until(() => first.segments() >= 3, 'segments after the restart', 60_000).then(() => ({
        exited: undefined,
      })),
    ]);
    let last = first;
    console.log(
      `[follow-restart] ${outcome.exited === undefined ? 'follow rode through the restart' : 'follow ended with one error line and was started again'}`,
    );
    if (outcome.exited !== undefined) {
      expect(outcome.exited, first.log()).toBe(1);
      const errors = first
        .log()
        .split('\n')
        .filter((l) => l.startsWith('stowage: '));
      expect(errors, first.log()).toHaveLength(1);
      expect(first.log()).not.toMatch(/^\s+at /m);
      last = new FollowProcess(source, repo);
      await until(
        () => last.segments() >= 2,
        () => `segments after the second start: ${last.describe()}`,
      );
      expect(last.events.some((e) => e.type === 'chain-resumed')).toBe(true);
    }
    writing = false;
    await workload;
    await withPgClient(source, (c) => c.query('UPDATE accounts SET balance = 0 WHERE id = 1'));
    await sleep(1500);
    last.kill('SIGTERM');
    expect(await last.exited, last.log()).toBe(0);

    const repository = await openRepository(repo);
    const chains = await listChains(repository);
    await repository.close();
    expect(chains).toHaveLength(1);
    expect(chains[0]!.gap).toBeUndefined();

    await withPgClient(server.url, (c) => c.query('CREATE DATABASE restored'));
    const target = pgUrlFor('restored', server.url);
    await restoreUntil({ repository: repo, target, until: 'latest', safetyBackup: false });
    expect(await tableChecksums(target)).toEqual(await tableChecksums(source));
  });
});
