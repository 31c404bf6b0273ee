// Continuous backup of PostgreSQL end to end (issue 12): `follow` into a repository while a
// workload writes (inserts, TOASTed updates, deletes, TRUNCATE, a transaction over two tables),
// a DDL change mid-stream starting a new chain; `restore --until` each recorded moment, by time
// and by LSN, gives exactly the source's per-table checksums of that moment, on both sides of the DDL.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChains } from '../../src/catalog/chains.js';
import { postgresFollow } from '../../src/engines/postgres/follow/index.js';
import { restoreUntil } from '../../src/ops/restore-until.js';
import { openRepository } from '../../src/store/open-repository.js';
import { startFollow } from '../support/follow-run.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { dropReplicationState } from '../support/replication-cleanup.js';
import { until } from '../support/until.js';
import { tableChecksums } from './support.js';

describe('follow and restore --until on PostgreSQL', () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];
  let repo: string;

  beforeAll(async () => {
    source = await createPgDatabase('follow_e2e');
    repo = mkdtempSync(join(tmpdir(), 'stowage-follow-pg-'));
    await withPgClient(source.url, (c) =>
      c.query(`
        CREATE TABLE orders (id serial PRIMARY KEY, customer text, total numeric(10,2), note text);
        CREATE TABLE lines (order_id int REFERENCES orders, n int, sku text, PRIMARY KEY (order_id, n));
        CREATE TABLE scratch (k int PRIMARY KEY, v text);
        INSERT INTO orders (customer, total) SELECT 'c' || g, g FROM generate_series(1, 100) g;
        INSERT INTO lines SELECT g, 1, 'sku' || g FROM generate_series(1, 100) g;
        INSERT INTO scratch SELECT g, 'v' FROM generate_series(1, 10) g;`),
    );
  });

  afterAll(async () => {
    // The last chain's slot stays for a resume; the test's is not needed any more.
    if (source) await dropReplicationState(source.url);
    for (const db of created) await db.drop();
    await source?.drop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('restores each recorded moment exactly, by time and by LSN, across a DDL change', {
    timeout: 240_000,
  }, async () => {
    const following = startFollow(source.url, repo);
    const { events } = following;
    const started = () => events.filter((e) => e.type === 'chain-started').length;
    await until(() => started() === 1, 'the first base');

    const moments: { at: Date; lsn: string; state: Record<string, string> }[] = [];
    const sql = (text: string) => withPgClient(source.url, (c) => c.query(text));
    const record = async () => {
      const state = await tableChecksums(source.url);
      const lsn = (await sql('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l as string;
      moments.push({ at: new Date(), lsn, state });
      // Later commits get later commit times (ms resolution) than the recorded moment.
      await sleep(20);
    };
    const big = `(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g)`;

    await record();
    await sql(`INSERT INTO orders (customer, total, note) VALUES ('big', 1, ${big})`);
    await sql(`UPDATE orders SET total = total * 2 WHERE id <= 20`);
    await record();
    await sql(`BEGIN; INSERT INTO orders (customer, total) VALUES ('pair', 5);
               INSERT INTO lines VALUES (currval('orders_id_seq'), 1, 'x'); COMMIT`);
    await sql(`UPDATE orders SET customer = 'renamed' WHERE customer = 'big'`);
    await sql(`DELETE FROM lines WHERE order_id BETWEEN 50 AND 60`);
    await record();
    await sql(`TRUNCATE scratch`);
    await sql(`INSERT INTO scratch VALUES (1, 'after truncate')`);
    await record();
    const beforeDdl = moments.length;
    // The old chain's window ends where follow last saw the source caught up (its heartbeat,
    // every segment interval): give it one after the last moment before the break.
    await sleep(2500);

    // DDL: the chain cannot carry it; follow starts a new one with a fresh base.
    await sql(`ALTER TABLE scratch ADD COLUMN extra int DEFAULT 7`);
    await sql(`INSERT INTO scratch VALUES (2, 'after ddl', 8)`);
    await until(() => started() === 2, 'the second base');
    expect(events.find((e) => e.type === 'chain-broken')).toMatchObject({
      reason: expect.stringMatching(/columns of table public\.scratch changed/),
    });
    await record();
    await sql(`UPDATE scratch SET extra = extra + 1`);
    await sql(`DELETE FROM orders WHERE id = 100 AND NOT EXISTS (SELECT 1 FROM lines WHERE order_id = 100)`);
    await sql(`DELETE FROM lines WHERE order_id = 99; DELETE FROM orders WHERE id = 99`);
    await record();
    // A later change, so the last moment's LSN lies inside the stored positions.
    await sql(`INSERT INTO scratch VALUES (3, 'tail', 0)`);
    await sleep(1500);

    const summary = await following.stop();
    expect(summary.chains.length).toBe(2);

    const repository = await openRepository(repo);
    const chains = await listChains(repository);
    await repository.close();
    expect(chains).toHaveLength(2);
    for (const c of chains) expect(c.gap).toBeUndefined();

    const compare = (a: string, b: string) => postgresFollow.compare(a, b);
    const windows = chains.map((c) => c.window);
    let byLsn = 0;
    for (const [i, moment] of moments.entries()) {
      // A position is restorable between a chain's base and its last stored change: the moment
      // just before the DDL lies after chain 1's last change and before chain 2's base.
      const lsnCovered = windows.some(
        (w) => w && compare(w.fromPosition, moment.lsn) <= 0 && compare(moment.lsn, w.toPosition) <= 0,
      );
      if (lsnCovered) byLsn++;
      for (const [how, bound] of [
        ['time', moment.at],
        ...(lsnCovered ? [['lsn', { position: moment.lsn }] as const] : []),
      ] as const) {
        const target = await createPgDatabase(`follow_e2e_r${i}${how}`);
        created.push(target);
        const r = await restoreUntil({
          repository: repo,
          target: target.url,
          until: bound,
          safetyBackup: false,
        });
        expect(r.chain, `moment ${i} by ${how}`).toBe(chains[i < beforeDdl ? 0 : 1]?.id);
        expect(await tableChecksums(target.url), `moment ${i} by ${how}`).toEqual(moment.state);
      }
    }
    expect(byLsn).toBeGreaterThanOrEqual(moments.length - 1);
  });
});
