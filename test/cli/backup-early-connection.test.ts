// `stowage backup` opens its first connection as soon as it has read its arguments, before the
// backup's own modules load, and hands it to the backup (issue 14: the server starts the session
// and authenticates meanwhile). Failures to connect still read as they did.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, countingProxy } from '../support/counting-proxy.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { until } from '../support/until.js';
import { runCli } from './run-cli.js';

let dir: string;
let db: TestPgDatabase;
let proxy: CountingProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-backup-early-'));
  db = await createPgDatabase('stowage_backup_early_connection');
  await withPgClient(db.url, (c) =>
    c.query('CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (1), (2)'),
  );
  proxy = await countingProxy(db.url);
});
afterAll(async () => {
  await proxy?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('stowage backup’s first connection', () => {
  it('opens before the rest of the command is read (a passphrase file still being written), and is the backup’s', async () => {
    // A named pipe: reading the passphrase waits until this test writes it.
    const fifo = join(dir, 'passphrase.fifo');
    execFileSync('mkfifo', [fifo]);
    const before = proxy.accepted;
    const running = runCli(['backup', proxy.url, '--to', join(dir, 'piped.stow'), '--passphrase-file', fifo]);
    try {
      await until(() => proxy.accepted > before, 'a connection while the passphrase is not yet read', 10_000);
      // The leader, and perhaps its data session already (--jobs 2): it opens once the leader is in,
      // which on a loaded machine can come before this test looks.
      expect(proxy.accepted - before).toBeLessThanOrEqual(2);
    } finally {
      // Written whatever the checks found: the backup waits on the pipe, holding its connections,
      // and the next test waits for every connection to close.
      await writeFile(fifo, 'early connection passphrase\n');
    }
    const run = await running;
    expect(run.code, run.stderr).toBe(0);
    // That connection and one data session (--jobs 2): the backup opened no other.
    expect(proxy.accepted - before).toBe(2);
    await until(() => proxy.open === 0, 'the backup’s connections closed', 10_000);
  });

  it('closes it when the command then stops on a usage error', async () => {
    const run = await runCli(['backup', proxy.url, '--to', join(dir, 'x.stow'), '--notify', 'sometimes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--notify must be failure, always or never');
    await until(() => proxy.open === 0, 'the early connection closed', 10_000);
  });

  it('reports a refused, a wrongly authenticated and a missing source in one line, as before', async () => {
    const gone = await countingProxy(db.url);
    await gone.close();
    const refused = await runCli(['backup', gone.url, '--to', join(dir, 'refused')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^stowage: cannot connect to postgres:\/\/[^\n]*ECONNREFUSED[^\n]*\nhint: /m,
    );

    const wrong = new URL(db.url);
    wrong.password = 'not-the-password';
    const denied = await runCli(['backup', wrong.toString(), '--to', join(dir, 'denied')]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^stowage: cannot connect to [^\n]*password authentication failed/m);
    expect(denied.stderr).not.toContain('not-the-password');

    const missing = new URL(db.url);
    missing.pathname = '/stowage_backup_early_connection_missing';
    const absent = await runCli(['backup', missing.toString(), '--to', join(dir, 'absent')]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/^stowage: cannot connect to [^\n]*does not exist/m);
  });
});
