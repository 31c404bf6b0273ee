// The PostgreSQL acceptance bar (issue 10): every fixture file in
// fixtures/postgres/parity/ (whatever is there, from every engineer) is loaded
// into one database; pg_dump + pg_restore must round-trip it, and so must
// Stowage, through the library with --jobs 1 and 4, --clean over an existing
// copy and --single-transaction, and once through the built CLI
// (`stowage backup` to a file, `stowage restore --create` into a new name).
// Owners and grants are compared too; restores ask for them with `owner: true`
// (`--owner`) until restoring them becomes the default.
//
// The fixture's extension with a configuration table (06-extension-config.sql)
// needs its files in the server's extension directory: beforeAll installs them
// there when missing (as root; see parity-extension.ts).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPgDatabase,
  dropSubscriptions,
  pgUrlFor,
  type TestPgDatabase,
  withPgClient,
} from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import {
  expectSameDatabase,
  expectStowageParity,
  loadParityFixtures,
  parityFixtures,
  pgRoundTrip,
} from './parity.js';
import { installParityExtension } from './parity-extension.js';
import { backupToMemory, restoreFromMemory } from './support.js';

const ROOT = join(import.meta.dirname, '../..');

// The whole fixture takes a while on a shared two-core machine: generous bounds.
describe('postgres parity: the whole torture fixture', { timeout: 180_000 }, () => {
  let source: TestPgDatabase;
  const created: TestPgDatabase[] = [];
  const database = async (prefix: string) => {
    const db = await createPgDatabase(prefix);
    created.push(db);
    return db;
  };

  beforeAll(async () => {
    await installParityExtension(pgUrl());
    source = await database('parity_all_src');
    await loadParityFixtures(source.url, parityFixtures());
  }, 300_000);
  afterAll(async () => {
    await Promise.all(created.map((d) => d.drop().catch(() => {})));
  });

  it('loads every fixture file', () => {
    expect(parityFixtures().length).toBeGreaterThanOrEqual(7);
  });

  it('pg_dump + pg_restore round-trip it', async () => {
    const native = await database('parity_all_native');
    const { status, stderr } = pgRoundTrip(source.url, native.url);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    await expectSameDatabase(native.url, source.url);
  });

  for (const jobs of [1, 4]) {
    it(`round-trips through Stowage with --jobs ${jobs}`, async () => {
      created.push(await expectStowageParity(source.url, { jobs, restore: { owner: true } }));
    });
  }

  it('round-trips with --clean over an existing copy', async () => {
    const backup = await backupToMemory(source.url, {}, 2);
    const target = await database('parity_all_clean');
    await restoreFromMemory(target.url, backup, { owner: true }, 2);
    // Rows the restore must replace, not add to.
    await withPgClient(target.url, (c) => c.query(`INSERT INTO "Sales".tickets_a (note) VALUES ('stale')`));
    await restoreFromMemory(target.url, backup, { owner: true, clean: true }, 4);
    await expectSameDatabase(target.url, source.url);
  });

  it('round-trips with --single-transaction', async () => {
    created.push(
      await expectStowageParity(source.url, { jobs: 4, restore: { owner: true, singleTransaction: true } }),
    );
  });

  it('round-trips through the built CLI: backup to a file, restore --create into a new name', {
    timeout: 600_000,
  }, async () => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
    const dir = await mkdtemp(join(tmpdir(), 'stowage-parity-cli-'));
    try {
      const file = join(dir, 'parity.stow');
      const cli = (args: string[]) =>
        execFileSync(process.execPath, [join(ROOT, 'dist/cli/bin.js'), ...args], {
          encoding: 'utf8',
          stdio: 'pipe',
          timeout: 300_000,
          env: { ...process.env, NO_COLOR: '1' },
        });
      cli(['backup', source.url, '--to', file, '--jobs', '4', '--no-preflight']);
      const name = `parity_all_cli_${Date.now().toString(36)}`;
      const url = pgUrlFor(name);
      created.push({
        name,
        url,
        drop: async () => {
          await dropSubscriptions(url).catch(() => {}); // DROP DATABASE refuses a database with subscriptions
          await withPgClient(pgUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
        },
      });
      cli(['restore', file, url, '--create', '--owner', '--jobs', '4', '--yes']);
      await expectSameDatabase(url, source.url);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
