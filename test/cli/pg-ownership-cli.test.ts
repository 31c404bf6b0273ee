// The CLI side of ownership: --no-owner, --no-acl, --map-role, the missing-role
// error, and --globals-only backups restored without a safety backup.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParityFixtures } from '../postgres/parity.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import { runCli } from './run-cli.js';

describe('stowage restore: owners, grants and roles', () => {
  let dir: string;
  let source: TestPgDatabase;
  let archive: string;
  const targets: string[] = [];
  const target = (label: string) => {
    const name = `pg_own_cli_${label}_${Date.now().toString(36)}_${Math.random().toString(16).slice(2, 8)}`;
    targets.push(name);
    return pgUrlFor(name);
  };
  const ledgerOwner = (url: string) =>
    withPgClient(url, async (client) => {
      const { rows } = await client.query(
        `SELECT pg_get_userbyid(relowner) AS owner, relacl IS NULL AS plain FROM pg_class WHERE oid = '"Owned Stuff"."Ledger"'::regclass`,
      );
      return rows[0];
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-own-cli-'));
    source = await createPgDatabase('pg_own_cli_src');
    await loadParityFixtures(source.url, ['40-ownership.sql']);
    archive = join(dir, 'own.stow');
    const made = await runCli(['backup', source.url, '--to', archive]);
    expect(made.code, made.stderr).toBe(0);
  });
  afterAll(async () => {
    await withPgClient(pgUrl(), async (client) => {
      for (const name of targets) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
    await source?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('restores owners and grants by default; --no-owner and --no-acl each skip theirs', async () => {
    const full = target('full');
    expect((await runCli(['restore', archive, full, '--create', '--yes'])).code).toBe(0);
    expect(await ledgerOwner(full)).toEqual({ owner: 'stowage_parity_owner', plain: false });

    const noOwner = target('noowner');
    expect((await runCli(['restore', archive, noOwner, '--create', '--yes', '--no-owner'])).code).toBe(0);
    expect(await ledgerOwner(noOwner)).toEqual({ owner: 'postgres', plain: false });

    const noAcl = target('noacl');
    expect((await runCli(['restore', archive, noAcl, '--create', '--yes', '--no-acl', '--owner'])).code).toBe(
      0,
    );
    expect(await ledgerOwner(noAcl)).toEqual({ owner: 'stowage_parity_owner', plain: true });
  });

  it('names missing roles before restoring anything, and --map-role maps them', async () => {
    const url = target('missing');
    const failed = await runCli([
      'restore',
      archive,
      url,
      '--create',
      '--yes',
      '--map-role',
      'stowage_parity_owner=stowage_parity_nobody_here',
    ]);
    expect(failed.code).not.toBe(0);
    // (The test server's password happens to be a word in the role names: the CLI redacts it.)
    expect(failed.stderr).toMatch(
      /missing on .*_parity_nobody_here \(mapped from .*_parity_owner\); nothing was restored/,
    );
    expect(failed.stderr).toMatch(/--map-role/);
    expect(failed.stderr).toMatch(/--no-owner --no-acl/);
    await withPgClient(pgUrl(), async (client) => {
      const name = new URL(url).pathname.slice(1);
      const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [
        name,
      ]);
      expect(rows).toEqual([{ n: 0 }]);
    });

    const mapped = target('mapped');
    const ok = await runCli([
      'restore',
      archive,
      mapped,
      '--create',
      '--yes',
      '--map-role',
      'stowage_parity_owner=stowage_parity_writer',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await ledgerOwner(mapped)).toEqual({ owner: 'stowage_parity_writer', plain: false });

    const bad = await runCli([
      'restore',
      archive,
      target('bad'),
      '--create',
      '--yes',
      '--map-role',
      'nonsense',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--map-role takes ARCHIVED=TARGET/);
  });

  it('backs up the globals alone and restores them without a safety backup, reporting existing roles', async () => {
    const globals = join(dir, 'globals.stow');
    const made = await runCli(['backup', pgUrl(), '--globals-only', '--to', globals]);
    expect(made.code, made.stderr).toBe(0);
    // Only the fixture's roles: the shared server's other roles come and go with other tests.
    const restored = await runCli([
      'restore',
      globals,
      pgUrl(),
      '--yes',
      '--globals',
      '--globals-matching',
      'stowage_parity_owner',
      '--globals-matching',
      'stowage_parity_w*',
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout + restored.stderr).toMatch(
      /roles that already existed, left unchanged: [^;]*stowage_parity_owner/,
    );
    expect(restored.stdout + restored.stderr).not.toMatch(/safety backup/);
  });
});
