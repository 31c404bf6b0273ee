// The incomplete rule: a source holding something stowage cannot back up gives
// no archive and exit 1, unless --allow-incomplete; an allowed incomplete
// backup says so in its manifest and in list, status, inspect, verify and restore.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { inspect } from '../../src/ops/inspect.js';
import type { ProgressEvent } from '../../src/progress.js';
import { runCli } from '../cli/run-cli.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

let dir: string;
let source: TestPgDatabase;
/** The source as seen by a role that may not read everything in it. */
let limitedUrl: string;
const made: TestPgDatabase[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-incomplete-'));
  source = await createPgDatabase('stowage_incomplete');
  made.push(source);
  await withPgClient(source.url, (c) =>
    c.query(`
      CREATE TABLE items (id int PRIMARY KEY, name text);
      INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g;
      -- A user mapping whose options (a password) only a superuser may read:
      -- backed up by a role that may not, the backup cannot be complete.
      DO $$ BEGIN CREATE ROLE stowage_parity_limited_backup LOGIN PASSWORD 'limited'; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
      GRANT SELECT ON items TO stowage_parity_limited_backup;
      CREATE FOREIGN DATA WRAPPER w;
      CREATE SERVER s FOREIGN DATA WRAPPER w;
      CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (password 'hidden');`),
  );
  const limited = new URL(source.url);
  limited.username = 'stowage_parity_limited_backup';
  limited.password = 'limited';
  limitedUrl = limited.toString();
});

afterAll(async () => {
  await Promise.all(made.map((d) => d.drop().catch(() => {})));
  await rm(dir, { recursive: true, force: true });
});

describe('incomplete backups', () => {
  it('refuses the backup before copying any data, and leaves no archive', async () => {
    const repo = join(dir, 'refused');
    const events: ProgressEvent[] = [];
    const error = await backup({ source: limitedUrl, to: repo, onProgress: (e) => events.push(e) }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'incomplete-backup' });
    expect((error as Error).message).toBe(
      'backup refused: the source has objects that cannot be backed up: user mapping options (hidden from this role; back up as superuser): 1',
    );
    expect(events.some((e) => e.type === 'phase' && e.phase === 'data')).toBe(false);
    expect((await readdir(repo)).filter((f) => /\.stow($|\.)/.test(f))).toEqual([]);

    const cli = await runCli(['backup', limitedUrl, '--to', repo]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(
      'stowage: backup refused: the source has objects that cannot be backed up: user mapping options (hidden from this role; back up as superuser): 1\n',
    );
    expect(cli.stderr).toContain('hint: pass --allow-incomplete');
    expect((await readdir(repo)).filter((f) => /\.stow($|\.)/.test(f))).toEqual([]);
    // The failed run is on record for status.
    const status = await runCli(['status', repo, '--json']);
    expect(status.code).toBe(1);
    expect(JSON.stringify(status.json())).toContain('backup refused');
  });

  it('with --allow-incomplete keeps a backup that list, status, inspect, verify and restore show as INCOMPLETE', async () => {
    const repo = join(dir, 'allowed');
    const made1 = await runCli(['backup', limitedUrl, '--to', repo, '--allow-incomplete', '--json']);
    expect(made1.code).toBe(0);
    const result = made1.json<{ archive: string; incomplete: string[] }>();
    expect(result.incomplete).toEqual([
      'user mapping options (hidden from this role; back up as superuser): 1',
    ]);
    const { manifest } = await inspect(result.archive);
    expect(manifest.incomplete).toEqual([
      'user mapping options (hidden from this role; back up as superuser): 1',
    ]);

    const human = await runCli(['backup', limitedUrl, '--to', join(dir, 'allowed-2'), '--allow-incomplete']);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain(
      'warning: INCOMPLETE backup (allowed): it lacks user mapping options (hidden from this role; back up as superuser): 1',
    );

    const list = await runCli(['list', repo]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(
      'INCOMPLETE: lacks user mapping options (hidden from this role; back up as superuser): 1',
    );
    const listJson = (await runCli(['list', repo, '--json'])).json<{
      archives: { incomplete?: string[] }[];
    }>();
    expect(listJson.archives[0]?.incomplete).toEqual([
      'user mapping options (hidden from this role; back up as superuser): 1',
    ]);

    const shown = await runCli(['inspect', result.archive]);
    expect(shown.stdout).toContain(
      'INCOMPLETE:  the backup lacks user mapping options (hidden from this role; back up as superuser): 1',
    );

    const verified = await runCli(['verify', result.archive]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(
      'INCOMPLETE: the backup lacks user mapping options (hidden from this role; back up as superuser): 1',
    );
    expect((await runCli(['verify', result.archive, '--json'])).json()).toMatchObject({
      ok: true,
      incomplete: ['user mapping options (hidden from this role; back up as superuser): 1'],
    });

    // Fresh and verified, but incomplete: status is not healthy.
    const status = await runCli(['status', repo]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(
      'newest backup is INCOMPLETE, it lacks user mapping options (hidden from this role; back up as superuser): 1',
    );
    const prom = await runCli(['status', repo, '--format', 'prometheus']);
    expect(prom.stdout).toMatch(/stowage_backup_healthy\{repository="[^"]+",database="[^"]+"\} 0/);

    const target = await createPgDatabase('stowage_incomplete_target');
    made.push(target);
    const restored = await runCli(['restore', result.archive, target.url, '--yes', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json<{ warnings: string[] }>().warnings).toContain(
      'the archive is an INCOMPLETE backup: the restored database lacks user mapping options (hidden from this role; back up as superuser): 1',
    );
  });

  it('a complete backup records nothing incomplete, and status is healthy', async () => {
    const clean = await createPgDatabase('stowage_complete');
    made.push(clean);
    await withPgClient(clean.url, (c) => c.query('CREATE TABLE t (id int); INSERT INTO t VALUES (1)'));
    const repo = join(dir, 'complete');
    const summary = await backup({ source: clean.url, to: repo });
    expect('incomplete' in summary.manifest).toBe(false);
    expect((await runCli(['status', repo])).code).toBe(0);
    expect((await runCli(['inspect', summary.archive])).stdout).not.toContain('INCOMPLETE');
  });
});

describe('incomplete backups in the daemon', () => {
  it('a job fails on an incomplete source unless its allowIncomplete key is set', async () => {
    const { Daemon } = await import('../../src/ops/daemon.js');
    const { parseDaemonConfig } = await import('../../src/ops/daemon-config.js');
    const job = (name: string, allow?: boolean) => ({
      name,
      source: limitedUrl,
      repository: join(dir, `daemon-${name}`),
      schedule: '0 3 * * *',
      ...(allow === undefined ? {} : { allowIncomplete: allow }),
    });
    const config = parseDaemonConfig(
      JSON.stringify({ jobs: [job('strict'), job('lenient', true)], metrics: { listen: false } }),
      'inline.json',
      {},
    );
    const daemon = await Daemon.start(config, { log: () => {} });
    try {
      const strict = await daemon.trigger('strict');
      expect(strict.status).toBe('failure');
      expect(strict.error).toContain('backup refused: the source has objects that cannot be backed up');
      const lenient = await daemon.trigger('lenient');
      expect(lenient.status).toBe('success');
      expect(lenient.backup?.manifest.incomplete).toEqual([
        'user mapping options (hidden from this role; back up as superuser): 1',
      ]);
      expect(lenient.warnings).toContain(
        'INCOMPLETE backup (allowed): it lacks user mapping options (hidden from this role; back up as superuser): 1',
      );
    } finally {
      await daemon.stop();
    }
  });
});
