// A connection's password in the CLI's messages, against the real server: never
// printed where it stands as a credential, and a password that is also the
// database's name no longer masks that name (docs/ERRORS.md, "Passwords in messages").
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrlFor, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import { runCli } from './run-cli.js';

const suffix = randomBytes(4).toString('hex');
const role = `stowage_pwmsg_${suffix}`;
/** Never created: the server answers "does not exist" once the role has logged in. */
const missing = `stowage_pwmsg_shop_${suffix}`;
let dir: string;

/** The URL of `database` as `role` logging in with `password`. */
function urlAs(password: string, database = missing): string {
  const u = new URL(pgUrlFor(database));
  u.username = role;
  u.password = encodeURIComponent(password);
  return u.toString();
}

async function setPassword(password: string): Promise<void> {
  await withPgClient(pgUrl(), (c) =>
    c.query(`ALTER ROLE ${role} PASSWORD '${password.replaceAll("'", "''")}'`),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pwmsg-test-'));
  await withPgClient(pgUrl(), (c) => c.query(`CREATE ROLE ${role} LOGIN`));
});
afterAll(async () => {
  await withPgClient(pgUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${role}`));
  await rm(dir, { recursive: true, force: true });
});

describe('the password in messages', () => {
  it('equal to the database name leaves the name readable in "does not exist"', async () => {
    await setPassword(missing);
    const run = await runCli(['backup', urlAs(missing), '--to', join(dir, 'same')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`database "${missing}" does not exist`);
    expect(run.stderr).toContain(`${role}:***@`);
    expect(run.stderr).not.toContain('***_');
    // The engine's hint for a missing database, not the generic one about hosts and credentials.
    expect(run.stderr).toContain('hint: check the database name in the URL');
  });

  it('a short word that is part of the database name leaves the name whole', async () => {
    await setPassword('stowage');
    const run = await runCli(['backup', urlAs('stowage'), '--to', join(dir, 'short')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`database "${missing}" does not exist`);
    expect(run.stderr).not.toContain(':stowage@');
  });

  it('a real password shows nowhere, in the URL or the key=value string', async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    await setPassword(password);
    const url = urlAs(password);
    const u = new URL(url);
    const keyword = `host=${u.hostname} port=${u.port} user=${role} password=${password} dbname=${missing}`;
    for (const source of [url, keyword]) {
      const run = await runCli(['backup', source, '--to', join(dir, 'real'), '--json']);
      expect(run.code).toBe(1);
      expect(run.stderr + run.stdout).toContain(`database \\"${missing}\\" does not exist`);
      expect(run.stderr + run.stdout).not.toContain(password);
    }
  });

  it('a wrong password is not echoed', async () => {
    const run = await runCli([
      'backup',
      urlAs('wrong-but-long-password', 'postgres'),
      '--to',
      join(dir, 'wrong'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/password authentication failed/);
    expect(run.stderr).not.toContain('wrong-but-long-password');
  });
});
