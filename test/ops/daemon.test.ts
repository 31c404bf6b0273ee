import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/ops/daemon.js';
import { parseDaemonConfig } from '../../src/ops/daemon-config.js';
import { RepositoryLock } from '../../src/ops/repository-lock.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { createTestBucket, s3Options } from '../support/s3.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let dir: string;
let hooks: WebhookReceiver;
let hookUrl: string;
let received: unknown[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-daemon-'));
  hooks = await startWebhookReceiver();
  hookUrl = hooks.url;
  received = hooks.received;
});
afterAll(async () => {
  await hooks.close();
  await rm(dir, { recursive: true, force: true });
});

const quiet = () => {};

function config(repository: string, extra = '') {
  return parseDaemonConfig(
    `
jobs:
  - name: shop
    # Nothing listens on port 9: the run fails in preflight, quickly and for real.
    source: postgres://app:hunter2@127.0.0.1:9/shop
    repository: ${repository}
    schedule: "0 2 * * *"
    notify: { webhook: "${hookUrl}/services/secret-token" }
metrics: { listen: 0 }
${extra}`,
    'test.yaml',
    {},
  );
}

describe('daemon', () => {
  it('runs a job, records and reports a failure, and serves metrics', async () => {
    const repository = join(dir, 'failing');
    const daemon = await Daemon.start(config(repository), { log: quiet, metricsListen: 0 });
    try {
      const outcome = await daemon.trigger('shop');
      expect(outcome.status).toBe('failure');
      expect(outcome.error).toMatch(/cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:9\/shop/);
      expect(outcome.error).not.toContain('hunter2');
      // The webhook got a Slack-compatible message without the password.
      const hook = received.at(-1) as { path: string; body: { text: string } };
      expect(hook.path).toBe('/services/secret-token');
      expect(hook.body.text).toMatch(/^:x: stowage backup of job shop: shop FAILED/);
      expect(hook.body.text).not.toContain('hunter2');
      // The failed run is on record for `stowage status`.
      const record = JSON.parse(await readFile(join(repository, '.stowage/runs/shop.json'), 'utf8'));
      expect(record).toMatchObject({ database: 'shop', status: 'failure', job: 'shop' });
      const metrics = await fetch(`http://${daemon.metricsAddress}/metrics`).then((r) => r.text());
      expect(metrics).toContain('stowage_backup_failures_total{job="shop"} 1');
      expect(metrics).toContain('stowage_backup_runs_total{job="shop"} 1');
      expect(metrics).toMatch(/stowage_backup_last_run_success\{repository="[^"]+",database="shop"\} 0/);
      expect(await fetch(`http://${daemon.metricsAddress}/healthz`).then((r) => r.status)).toBe(200);
    } finally {
      await daemon.stop();
    }
  });

  it('refuses a second daemon on the same repository, and releases the lock on stop', async () => {
    const repository = join(dir, 'locked');
    const first = await Daemon.start(config(repository), { log: quiet, metricsListen: 0 });
    const err = await Daemon.start(config(repository), { log: quiet, metricsListen: 0 }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(
      /repository .*locked is in use by another stowage daemon \(pid \d+ on /,
    );
    await first.stop();
    const second = await Daemon.start(config(repository), { log: quiet, metricsListen: 0 });
    await second.stop();
  });

  it('locks S3 repositories the same way', async () => {
    const bucket = await createTestBucket('stowage-daemon');
    const extra = `s3: { endpoint: "${s3Options().endpoint}", accessKeyId: "${s3Options().accessKeyId}", secretAccessKey: "${s3Options().secretAccessKey}" }`;
    const first = await Daemon.start(config(`s3://${bucket}/prod`, extra), { log: quiet, metricsListen: 0 });
    await expect(
      Daemon.start(config(`s3://${bucket}/prod`, extra), { log: quiet, metricsListen: 0 }),
    ).rejects.toThrow(/is in use by another stowage daemon/);
    await first.stop();
  });

  it('takes over a lock left by a dead process or gone stale', async () => {
    const repository = new LocalRepository(join(dir, 'stale'));
    // A daemon on this host whose process no longer exists (pid far above pid_max).
    await repository.writeText(
      '.stowage/daemon.lock',
      JSON.stringify({
        owner: 'x',
        host: (await import('node:os')).hostname(),
        pid: 2 ** 30,
        startedAt: '2026-01-01T00:00:00Z',
        heartbeatAt: new Date().toISOString(),
      }),
    );
    const lock = await RepositoryLock.acquire(repository);
    await lock.release();
    // A daemon on another host that stopped refreshing its lock.
    await repository.writeText(
      '.stowage/daemon.lock',
      JSON.stringify({
        owner: 'y',
        host: 'elsewhere',
        pid: 1,
        startedAt: '2026-01-01T00:00:00Z',
        heartbeatAt: '2026-01-01T00:00:00Z',
      }),
    );
    const taken = await RepositoryLock.acquire(repository);
    await taken.refresh();
    await taken.release();
    expect(await repository.readText('.stowage/daemon.lock')).toBeUndefined();
    // A live one elsewhere is respected.
    await repository.writeText(
      '.stowage/daemon.lock',
      JSON.stringify({
        owner: 'z',
        host: 'elsewhere',
        pid: 1,
        startedAt: '2026-01-01T00:00:00Z',
        heartbeatAt: new Date().toISOString(),
      }),
    );
    await expect(RepositoryLock.acquire(repository)).rejects.toThrow(/pid 1 on elsewhere/);
  });

  it('keeps running when the webhook fails', async () => {
    const repository = join(dir, 'hook-broken');
    const cfg = config(repository);
    cfg.jobs[0]!.notify = { webhook: `${hookUrl}/broken` };
    const daemon = await Daemon.start(cfg, { log: quiet, metricsListen: 0 });
    try {
      const outcome = await daemon.trigger('shop');
      expect(outcome.warnings).toEqual([expect.stringMatching(/webhook 127\.0\.0\.1:\d+ answered HTTP 500/)]);
    } finally {
      await daemon.stop();
    }
  });
});
