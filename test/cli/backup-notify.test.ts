// One-off backups (from cron, say) post their outcome to a webhook, like the daemon's jobs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { runCli } from './run-cli.js';

describe('stowage backup --notify', () => {
  let receiver: WebhookReceiver;
  let hook: string;
  let db: TestPgDatabase;
  let dir: string;
  const bodies = () => receiver.received.map((r) => r.body);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    hook = `${receiver.url}/hook/T000/secret-path`;
    db = await createPgDatabase('cli_notify');
    dir = await mkdtemp(join(tmpdir(), 'stowage-notify-'));
  });
  afterAll(async () => {
    delete process.env.STOWAGE_WEBHOOK_URL;
    await receiver?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts failures when the webhook is set, successes with --notify always, and never the secret', async () => {
    process.env.STOWAGE_WEBHOOK_URL = hook;
    const bad = new URL(db.url);
    bad.password = 'wrong-password';
    const failed = await runCli(['backup', bad.toString(), '--to', join(dir, 'repo')]);
    expect(failed.code).toBe(1);
    expect(bodies()).toHaveLength(1);
    expect(bodies()[0]?.text).toMatch(/^:x: stowage backup of .* FAILED on .*: .*password/);
    expect(bodies()[0]?.text).not.toContain('wrong-password');

    // Archive files of their own: two backups in one second would get the same generated name in a repository.
    const quiet = await runCli(['backup', db.url, '--to', join(dir, 'quiet.stow')]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(bodies()).toHaveLength(1);

    const loud = await runCli(['backup', db.url, '--to', join(dir, 'loud.stow'), '--notify', 'always']);
    expect(loud.code, loud.stderr).toBe(0);
    expect(bodies()).toHaveLength(2);
    expect(bodies()[1]?.text).toMatch(/^:white_check_mark: stowage backup of .* succeeded .*\.stow$/);
    expect(`${failed.stderr}${quiet.stderr}${loud.stderr}`).not.toContain('secret-path');
  });

  it('posts a mistyped connection string as a failure too (read early only when no webhook listens)', async () => {
    process.env.STOWAGE_WEBHOOK_URL = hook;
    const before = bodies().length;
    const typo = await runCli(['backup', 'postgres://app@localhost:99999/shop', '--to', join(dir, 'repo')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('invalid port "99999"');
    expect(bodies()).toHaveLength(before + 1);
    expect(bodies().at(-1)?.text).toMatch(/FAILED .*invalid port/);
  });

  it('says what is missing when asked to notify without a webhook', async () => {
    delete process.env.STOWAGE_WEBHOOK_URL;
    const run = await runCli(['backup', db.url, '--to', join(dir, 'repo'), '--notify', 'always']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--notify always needs a webhook URL.*STOWAGE_WEBHOOK_URL/s);
  });
});
