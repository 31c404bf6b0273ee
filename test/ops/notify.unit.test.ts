import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationText, notify, type RunEvent } from '../../src/ops/notify.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let receiver: WebhookReceiver;
let url: string;
const lastBody = () => receiver.received.at(-1)?.body;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  url = `${receiver.url}/hook/secret`;
});
afterAll(() => receiver.close());

const success: RunEvent = {
  status: 'success',
  job: 'shop',
  database: 'shop',
  repository: 's3://backups/prod',
  archive: 's3://backups/prod/shop-20261121-020000.stow',
  bytes: 3 * 1024 * 1024,
  durationMs: 42_000,
  verified: true,
};

describe('webhook notifications', () => {
  it('sends failures by default and successes only when asked', async () => {
    expect(await notify({ url }, success)).toBe(false);
    expect(await notify({ url, onSuccess: true }, success)).toBe(true);
    expect(lastBody()).toEqual({
      text: ':white_check_mark: stowage backup of job shop: shop succeeded in 42s, 3.0 MiB, verified → s3://backups/prod/shop-20261121-020000.stow',
    });
    const failure: RunEvent = {
      status: 'failure',
      database: 'shop',
      repository: '/backups',
      error: 'no space left on device',
    };
    expect(await notify({ url, format: 'json' }, failure)).toBe(true);
    expect(lastBody()).toMatchObject({
      text: notificationText(failure),
      status: 'failure',
      error: 'no space left on device',
    });
    expect(await notify({ url, onFailure: false }, failure)).toBe(false);
  });

  it('names only the host when the webhook cannot be reached', async () => {
    const err = await notify(
      { url: 'http://127.0.0.1:9/hook/T000/SECRET' },
      { ...success, status: 'failure' },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^webhook 127\.0\.0\.1:9 unreachable/);
    expect((err as Error).message).not.toContain('SECRET');
  });
});
