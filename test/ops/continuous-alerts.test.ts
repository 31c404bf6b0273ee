// A continuous job's alerts against a real PostgreSQL replication slot and a
// real webhook receiver: a slot over its WAL limit is reported once (not at
// every check), again only after it cleared; a follow failure once per streak.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContinuousAlerts } from '../../src/ops/continuous-alerts.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let db: TestPgDatabase;
let hooks: WebhookReceiver;
const slot = `stowage_alerts_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await createPgDatabase('alerts');
  hooks = await startWebhookReceiver();
  await withPgClient(db.url, async (c) => {
    await c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    // WAL the slot must keep: a few MiB of rows written after it was made.
    await c.query(
      `CREATE TABLE filler AS SELECT g, repeat(md5(g::text), 20) AS pad FROM generate_series(1, 20000) g`,
    );
  });
});

afterAll(async () => {
  await withPgClient(db.url, (c) =>
    c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [
      slot,
    ]),
  ).catch(() => {});
  await db?.drop();
  await hooks?.close();
});

/** The POSTs about this test's own slot (other tests' slots may exist on the server). */
const aboutSlot = () => hooks.received.filter((h) => h.body.text.includes(slot));

describe('continuous job alerts', () => {
  it('warns once when a slot holds more WAL than the limit, and again only after it cleared', async () => {
    const lines: string[] = [];
    const alerts = new ContinuousAlerts(
      {
        name: 'pitr',
        source: db.url,
        repository: '/backups/pitr',
        notify: { webhook: `${hooks.url}/services/token` },
        maxRetainedWalMib: 0.5,
      },
      (line) => lines.push(line),
    );
    await alerts.checkServerState(true);
    expect(aboutSlot()).toHaveLength(1);
    expect(aboutSlot()[0]!.body.text).toMatch(
      /^:warning: stowage job pitr: .* holds \d+ MiB of WAL \(limit 1 MiB\)/,
    );
    expect(lines.some((l) => l.includes(slot) && l.includes('WARNING'))).toBe(true);
    // Still over the limit: no second message.
    await alerts.checkServerState(true);
    expect(aboutSlot()).toHaveLength(1);
    // Rate limited without force: not even looked at.
    await alerts.checkServerState();
    expect(aboutSlot()).toHaveLength(1);
    // Cleared (the slot is gone), then back: a new message.
    await withPgClient(db.url, (c) => c.query('SELECT pg_drop_replication_slot($1)', [slot]));
    await alerts.checkServerState(true);
    await withPgClient(db.url, async (c) => {
      await c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
      await c.query(`INSERT INTO filler SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20000) g`);
    });
    await alerts.checkServerState(true);
    expect(aboutSlot()).toHaveLength(2);
  });

  it('reports a failing follow once per streak of failures, without the password', async () => {
    const before = hooks.received.length;
    const alerts = new ContinuousAlerts(
      {
        name: 'pitr',
        source: db.url,
        repository: '/backups/pitr',
        notify: { webhook: `${hooks.url}/services/token` },
        maxRetainedWalMib: 1024,
      },
      () => {},
    );
    const failures = () =>
      hooks.received.slice(before).filter((h) => h.body.text.includes('continuous backup stopped'));
    await alerts.followFailed('PostgreSQL at 127.0.0.1:5432 refused the connection');
    await alerts.followFailed('PostgreSQL at 127.0.0.1:5432 refused the connection');
    expect(failures()).toHaveLength(1);
    expect(failures()[0]!.body.text).toMatch(/^:x: stowage backup of job pitr: .* FAILED/);
    alerts.followWorks();
    await alerts.followFailed('PostgreSQL at 127.0.0.1:5432 refused the connection');
    expect(failures()).toHaveLength(2);
    const password = new URL(db.url).password;
    if (password)
      for (const h of hooks.received) expect(JSON.stringify(h.body)).not.toContain(`:${password}@`);
  });
});
