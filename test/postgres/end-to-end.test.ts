// The PostgreSQL engine through the library API: a real .stow archive on disk,
// compressed, then restored into a new database.
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, restore, StowageError } from '../../src/index.js';
import type { ProgressEvent } from '../../src/progress.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase } from '../support/pg.js';
import { catalogSnapshot, loadFixtures, sequenceValues, tableChecksums } from './support.js';

describe('postgres end to end', () => {
  let source: TestPgDatabase;
  let dir: string;
  const created: TestPgDatabase[] = [];

  beforeAll(async () => {
    source = await createPgDatabase('pg_e2e_src');
    await loadFixtures(source.url);
    dir = await mkdtemp(join(tmpdir(), 'stowage-pg-e2e-'));
  });
  afterAll(async () => {
    await Promise.all([source, ...created].filter(Boolean).map((d) => d.drop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('backs up to a .stow file and restores it exactly', async () => {
    const events: ProgressEvent[] = [];
    const summary = await backup({
      source: source.url,
      to: dir,
      jobs: 2,
      kind: 'manual',
      onProgress: (e) => events.push(e),
      preflight: false,
    });
    expect(summary.archive).toMatch(/\.stow$/);
    expect(summary.manifest.engine).toBe('postgres');
    expect(summary.manifest.pointInTime).toBe(true);
    expect(summary.manifest.streams.find((s) => s.name === 'app.big')?.items).toBe(150000);
    // As a URL's or a conninfo's password: the bare word may be a common one (the shared test server's is "stowage").
    const password = decodeURIComponent(new URL(source.url).password);
    expect(password).not.toBe('');
    const manifestText = JSON.stringify(summary.manifest);
    expect(manifestText).not.toContain(`:${password}@`);
    expect(manifestText).not.toContain(`:${encodeURIComponent(password)}@`);
    expect(manifestText).not.toMatch(
      new RegExp(`password\\s*=\\s*'?${password.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(summary.bytes).toBeLessThan(summary.rawBytes);

    const name = `pg_e2e_dst_${Date.now().toString(36)}`;
    const url = pgUrlFor(name);
    created.push({ name, url, drop: async () => (await createDropper(name))() });
    const restored = await restore({
      archive: summary.archive,
      target: url,
      jobs: 3,
      engineOptions: { create: true, owner: true },
    });
    expect(restored.items['app.big']).toBe(150000);
    expect(await catalogSnapshot(url, true)).toEqual(await catalogSnapshot(source.url, true));
    expect(await tableChecksums(url)).toEqual(await tableChecksums(source.url));
    expect(await sequenceValues(url)).toEqual(await sequenceValues(source.url));
  });

  it('a failed backup leaves no archive behind', async () => {
    const failDir = await mkdtemp(join(tmpdir(), 'stowage-pg-e2e-fail-'));
    try {
      const url = new URL(source.url);
      url.password = 'wrong-password-here';
      const err = await backup({ source: url.toString(), to: failDir, preflight: false }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StowageError);
      expect((err as StowageError).message).not.toContain('wrong-password-here');
      const left = (await readdir(failDir, { recursive: true })).filter((f) =>
        /\.stow(\.partial)?$/.test(String(f)),
      );
      expect(left).toEqual([]);
    } finally {
      await rm(failDir, { recursive: true, force: true });
    }
  });

  it('a truncated archive is refused with a clear error', async () => {
    const file = join(dir, 'small.stow');
    const small = await backup({
      source: source.url,
      to: file,
      engineOptions: { includeSchemas: ['types'] },
      preflight: false,
    });
    const size = (await stat(small.archive)).size;
    await truncate(small.archive, Math.floor(size / 2));
    const target = await createPgDatabase('pg_e2e_trunc');
    created.push(target);
    const err = await restore({ archive: small.archive, target: target.url, safetyBackup: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).message).toMatch(/truncated|not a stowage archive|corrupt/);
  });
});

async function createDropper(name: string) {
  const { withPgClient } = await import('../support/pg.js');
  const { pgUrl } = await import('../support/servers.js');
  return () =>
    withPgClient(pgUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {});
}
