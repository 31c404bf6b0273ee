// Secrets must not reach messages or logs (issue 15): webhook URLs show only
// their host, a webhook with credentials is refused up front, and a database
// password on the command line draws a warning.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordOnCommandLine } from '../../src/cli/password-warning.js';
import { parseDaemonConfig } from '../../src/ops/daemon-config.js';
import { notify, type RunEvent } from '../../src/ops/notify.js';
import { runCli } from '../cli/run-cli.js';
import { freePort } from '../support/local-servers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-secrets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const failure: RunEvent = { status: 'failure', database: 'shop', repository: '/backups', error: 'boom' };

function expectNoSecrets(text: string): void {
  expect(text).not.toContain('SECRETPATH');
  expect(text).not.toContain('TOKENVALUE');
  expect(text).not.toContain('hunter2');
}

describe('webhook URLs in messages', () => {
  it('a webhook with credentials fails naming only its host', async () => {
    const url = 'http://alerts:hunter2@127.0.0.1:9/hooks/SECRETPATH?token=TOKENVALUE';
    const err = (await notify({ url }, failure).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('127.0.0.1:9');
    expect(err.message).toMatch(/credentials/);
    expectNoSecrets(err.message);
  });

  it('an unreachable webhook fails naming only its host', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hooks/SECRETPATH?token=TOKENVALUE`;
    const err = (await notify({ url }, failure).catch((e: Error) => e)) as Error;
    expect(err.message).toContain(`webhook 127.0.0.1:${port} unreachable`);
    expectNoSecrets(err.message);
  });

  it('daemon --check rejects a webhook URL with credentials, naming the key', async () => {
    const config = {
      jobs: [
        {
          name: 'shop',
          source: 'postgres://app@localhost/shop',
          repository: join(dir, 'repo'),
          schedule: '0 2 * * *',
        },
      ],
      notify: { webhook: 'https://alerts:hunter2@hooks.example/SECRETPATH?token=TOKENVALUE' },
    };
    expect(() => parseDaemonConfig(JSON.stringify(config), 'stowage.json')).toThrow(
      /notify\.webhook: .*credentials/,
    );
    const file = join(dir, 'stowage.json');
    await writeFile(file, JSON.stringify(config));
    const run = await runCli(['daemon', '--check', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/notify\.webhook/);
    expectNoSecrets(run.stderr + run.stdout);
  });

  it('backup --notify refuses a webhook URL with credentials from the environment', async () => {
    const saved = process.env.STOWAGE_WEBHOOK_URL;
    process.env.STOWAGE_WEBHOOK_URL = 'https://alerts:hunter2@hooks.example/SECRETPATH';
    try {
      const run = await runCli(['backup', 'postgres://app@127.0.0.1:9/shop', '--to', join(dir, 'r')]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/STOWAGE_WEBHOOK_URL: .*credentials/);
      expectNoSecrets(run.stderr);
    } finally {
      if (saved === undefined) delete process.env.STOWAGE_WEBHOOK_URL;
      else process.env.STOWAGE_WEBHOOK_URL = saved;
    }
  });
});

describe('a database password on the command line', () => {
  it('is found in every form a connection string can hold it', () => {
    expect(passwordOnCommandLine('postgres://app:pw@db/shop', 'source')).toMatch(/password/);
    expect(passwordOnCommandLine('postgres://app@db/shop?password=pw', 'source')).toMatch(/password/);
    expect(passwordOnCommandLine('host=db dbname=shop password=pw', 'source')).toMatch(/password/);
    expect(passwordOnCommandLine('mongodb://app:pw@a:27017,b:27017/shop', 'source')).toMatch(/password/);
    expect(passwordOnCommandLine('postgres://app@db/shop', 'source')).toBeUndefined();
    expect(passwordOnCommandLine('mongodb://a:27017,b:27017/shop', 'source')).toBeUndefined();
  });

  it('draws a warning (without the password); a URL without one does not', async () => {
    const port = await freePort();
    const withPassword = await runCli([
      'backup',
      `postgres://app:hunter2@127.0.0.1:${port}/shop`,
      '--to',
      join(dir, 'pw'),
    ]);
    expect(withPassword.code).not.toBe(0);
    expect(withPassword.stderr).toMatch(/warning: the source URL holds a password on the command line/);
    expectNoSecrets(withPassword.stderr);

    const without = await runCli([
      'backup',
      `postgres://app@127.0.0.1:${port}/shop`,
      '--to',
      join(dir, 'pw'),
    ]);
    expect(without.code).not.toBe(0);
    expect(without.stderr).not.toMatch(/password on the command line/);
  });
});
