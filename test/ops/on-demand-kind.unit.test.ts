// A prunable kind for backups run by hand (issue 13): `--kind on-demand` is
// pruned by the keep rules like a scheduled backup without being called
// scheduled; manual stays the default and is never pruned.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestSchemas } from '../../src/archive/manifest.js';
import { kindOfManifest, manifestKindFields } from '../../src/catalog/backup-kind.js';
import { archiveName, parseArchiveName } from '../../src/catalog/naming.js';
import { planRetention, type RetentionCandidate } from '../../src/catalog/retention.js';
import { backupKind } from '../../src/cli/commands/backup.js';
import { UsageError } from '../../src/errors.js';
import { inspect } from '../../src/ops/inspect.js';
import { list } from '../../src/ops/list.js';
import { prune } from '../../src/ops/prune.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { runCli } from '../cli/run-cli.js';
import { addTestArchive, writeTestArchive } from './make-archive.js';

const day = 86_400_000;
const base = Date.parse('2026-11-21T02:00:00Z');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-on-demand-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the on-demand kind', () => {
  it('is named -on-demand, and the name reads back', () => {
    const at = new Date('2026-11-22T01:14:09Z');
    expect(archiveName('shop', at, 'on-demand')).toBe('shop-20261122-011409-on-demand.stow');
    expect(archiveName('shop', at, 'on-demand', 3)).toBe('shop-20261122-011409-3-on-demand.stow');
    expect(parseArchiveName('shop-20261122-011409-3-on-demand.stow')).toEqual({
      database: 'shop',
      at,
      kind: 'on-demand',
    });
    expect(parseArchiveName('shop-20261122-011409-manual.stow')?.kind).toBe('manual');
    expect(parseArchiveName('shop-20261122-011409.stow')?.kind).toBe('scheduled');
    // A database whose own name ends like a kind is still told apart by the timestamp.
    expect(parseArchiveName(archiveName('x-on-demand', at, 'scheduled'))).toEqual({
      database: 'x-on-demand',
      at,
      kind: 'scheduled',
    });
  });

  it('is recorded so that releases before it read the manifest and prune the archive by the same rules', async () => {
    const fields = manifestKindFields('on-demand');
    // The two-valued kind older schemas accept, plus a field they ignore.
    expect(fields).toEqual({ kind: 'scheduled', onDemand: true });
    expect(kindOfManifest(fields)).toBe('on-demand');
    expect(kindOfManifest(manifestKindFields('manual'))).toBe('manual');
    expect(kindOfManifest(manifestKindFields('scheduled'))).toBe('scheduled');
    expect((await manifestSchemas.load()).Manifest.shape.kind.options).toEqual(['scheduled', 'manual']);
  });

  it('fills keep rules together with scheduled backups; manual ones always stay', () => {
    const candidates: RetentionCandidate[] = Array.from({ length: 6 }, (_, i) => ({
      name: `shop-${i}`,
      database: 'shop',
      at: new Date(base - i * day),
      kind: i % 3 === 0 ? 'manual' : i % 3 === 1 ? 'on-demand' : 'scheduled',
      verified: false,
      health: 'restorable',
    }));
    const decisions = planRetention(candidates, { keepLast: 2 });
    const keep = Object.fromEntries(decisions.map((d) => [d.name, d.keep]));
    // Newest prunable two: shop-1 (on-demand), shop-2 (scheduled); the manual ones stay; the rest go.
    expect(keep).toEqual({
      'shop-0': true,
      'shop-1': true,
      'shop-2': true,
      'shop-3': true,
      'shop-4': false,
      'shop-5': false,
    });
    expect(decisions.find((d) => d.name === 'shop-4')?.reasons).toEqual(['not selected by any keep rule']);
  });

  it('list shows it, inspect shows it, and prune deletes an old one that a manual backup would have kept', async () => {
    const repo = join(dir, 'repo');
    const repository = new LocalRepository(repo);
    const old = await addTestArchive(repository, { kind: 'on-demand', startedAt: new Date(base - 3 * day) });
    const manual = await addTestArchive(repository, { kind: 'manual', startedAt: new Date(base - 2 * day) });
    const newer = await addTestArchive(repository, { kind: 'scheduled', startedAt: new Date(base - day) });
    expect(old).toMatch(/-on-demand\.stow$/);
    const listed = await list({ repository: repo });
    expect(listed.map((a) => [a.name, a.kind])).toEqual([
      [old, 'on-demand'],
      [manual, 'manual'],
      [newer, 'scheduled'],
    ]);
    expect((await runCli(['inspect', join(repo, old)])).stdout).toMatch(/, on-demand\b/);
    const result = await prune({ repository: repo, policy: { keepLast: 1 } });
    expect(result.deleted).toEqual([old]);
    expect((await readdir(repo)).sort()).toEqual([manual, newer].sort());
  });

  it('a renamed on-demand archive is still on-demand: the manifest says so', async () => {
    const repo = join(dir, 'renamed');
    await writeTestArchive(await new LocalRepository(repo).createArchive('hand-copied.stow'), {
      kind: 'on-demand',
    });
    expect((await list({ repository: repo })).map((a) => a.kind)).toEqual(['on-demand']);
    expect(kindOfManifest((await inspect(join(repo, 'hand-copied.stow'))).manifest)).toBe('on-demand');
  });
});

describe('backup --kind', () => {
  it('takes manual (the default), on-demand or scheduled; --manual and --scheduled are shorthands', () => {
    expect(backupKind({})).toBe('manual');
    expect(backupKind({ kind: 'on-demand' })).toBe('on-demand');
    expect(backupKind({ scheduled: true })).toBe('scheduled');
    expect(backupKind({ kind: 'manual', manual: true })).toBe('manual');
    expect(() => backupKind({ kind: 'weekly' })).toThrow(UsageError);
    expect(() => backupKind({ kind: 'on-demand', scheduled: true })).toThrow(
      /conflicting backup kinds: on-demand and scheduled/,
    );
  });

  it('a bad or conflicting kind is a usage error (exit 2) before any server is asked', async () => {
    const repo = join(dir, 'cli');
    const bad = await runCli([
      'backup',
      'postgres://app@127.0.0.1:9/shop',
      '--to',
      repo,
      '--kind',
      'weekly',
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.json()).toMatchObject({
      error: { code: 'usage', message: '--kind must be one of scheduled, on-demand, manual, got "weekly"' },
    });
    const both = await runCli([
      'backup',
      'postgres://app@127.0.0.1:9/shop',
      '--to',
      repo,
      '--manual',
      '--scheduled',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/conflicting backup kinds: manual and scheduled/);
  });
});
