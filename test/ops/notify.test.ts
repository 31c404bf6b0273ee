import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationText, notify, type RunEvent } from '../../src/ops/notify.js';

let server: Server;
let url: string;
const bodies: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

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
    expect(bodies.at(-1)).toEqual({
      text: ':white_check_mark: stowage backup of job shop: shop succeeded in 42s, 3.0 MiB, verified → s3://backups/prod/shop-20261121-020000.stow',
    });
    const failure: RunEvent = {
      status: 'failure',
      database: 'shop',
      repository: '/backups',
      error: 'no space left on device',
    };
    expect(await notify({ url, format: 'json' }, failure)).toBe(true);
    expect(bodies.at(-1)).toMatchObject({
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
