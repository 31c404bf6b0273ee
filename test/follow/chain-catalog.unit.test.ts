import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listChains } from '../../src/catalog/chains.js';
import { listArchives } from '../../src/catalog/list.js';
import { publishSegment } from '../../src/follow/segment-writer.js';
import { prune } from '../../src/ops/prune.js';
import { status } from '../../src/ops/status.js';
import { openRepository } from '../../src/store/open-repository.js';
import type { Repository } from '../../src/store/repository.js';
import { at, describeShop, writeArchive, writeChain } from './chain-fixtures.js';

// Chains as the repository catalog sees them, on real archives in a real
// folder (no database needed): list, status and prune.

describe('chains in the repository catalog', () => {
  let dir: string;
  let repository: Repository;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stowage-chains-'));
    repository = await openRepository(dir);
  });
  afterEach(async () => {
    await repository.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists chains with their windows, and segments are no archives of their own', async () => {
    await writeChain(repository, 'shop-20260101-000000', 1, 2);
    const chains = await listChains(repository);
    expect(chains).toHaveLength(1);
    expect(chains[0]!.segments.map((s) => s.sequence)).toEqual([1, 2]);
    expect(chains[0]!.window).toMatchObject({
      from: at(1, 1),
      to: at(1, 25),
      fromPosition: '1000:0',
      toPosition: '1002:1',
      usableSegments: 2,
      transactions: 2,
    });
    expect((await listArchives(repository)).map((a) => a.name)).toEqual(['shop-20260101-000000.stow']);
    // A segment lost from the middle: the window ends before it, and the chain says why.
    rmSync(join(dir, 'shop-20260101-000000.seg-000001.stow'));
    const [broken] = await listChains(repository);
    expect(broken!.window).toBeUndefined();
    expect(broken!.gap).toMatch(/segment 1 is missing/);
  });

  it('status: the newest chain keeps a database fresh while its lag is within the limit', async () => {
    await writeChain(repository, 'shop-20260101-000000', 1, 1);
    await writeChain(repository, 'shop-20260102-000000', 2, 2);
    const fresh = await status({ repository: dir, now: at(2, 60), maxLagMs: 60_000 });
    expect(fresh.chains).toHaveLength(1);
    expect(fresh.chains[0]).toMatchObject({
      chain: 'shop-20260102-000000',
      lagMs: 35_000,
      segments: 2,
      ok: true,
    });
    expect(fresh.databases[0]!.ok).toBe(true);
    expect(fresh.ok).toBe(true);
    const late = await status({ repository: dir, now: at(2, 200), maxLagMs: 60_000 });
    expect(late.ok).toBe(false);
    expect(late.chains[0]!.problems.join('\n')).toMatch(/lags 2m \(limit 1m\)/);
    // Segments are dated when published (now): an hour on, the newest is an hour old.
    const hourOn = new Date(Date.now() + 3_600_000);
    const old = await status({ repository: dir, now: hourOn, maxLagMs: 1e12, maxSegmentAgeMs: 60_000 });
    expect(old.chains[0]!.problems.join('\n')).toMatch(/newest segment is 1h 0m old \(limit 1m\)/);
  });

  it('prune: segments go with their base, the live chain stays, orphans go, the windows left are reported', async () => {
    // A segment whose base is gone (a prune stopped half-way).
    await publishSegment(repository, {
      chain: 'shop-20251231-000000',
      feedId: 'f',
      sequence: 1,
      after: '1:0',
      transactions: [{ position: '2:0', commitTime: 0, payload: Buffer.alloc(1) }],
      openedAt: at(1),
      describe: describeShop,
      compression: 'none',
    });
    await writeChain(repository, 'shop-20260101-000000', 1, 2);
    await writeChain(repository, 'shop-20260102-000000', 2, 1);
    // A plain backup after the chains: keep-last 1 keeps it, and the live chain's base stays all the same.
    await writeArchive(repository, 'shop-20260103-000000.stow', at(3, 1));

    const dry = await prune({ repository: dir, policy: { keepLast: 1 }, dryRun: true });
    expect(dry.deleted).toEqual(['shop-20260101-000000.stow']);
    expect(readdirSync(dir)).toContain('shop-20260101-000000.seg-000001.stow');

    const result = await prune({ repository: dir, policy: { keepLast: 1 } });
    expect(result.deleted).toEqual(['shop-20260101-000000.stow']);
    expect(result.decisions.find((d) => d.name === 'shop-20260102-000000.stow')).toMatchObject({
      keep: true,
      reasons: ['base of the newest continuous backup chain'],
    });
    expect(result.segmentsDeleted.sort()).toEqual([
      'shop-20251231-000000.seg-000001.stow',
      'shop-20260101-000000.seg-000001.stow',
      'shop-20260101-000000.seg-000002.stow',
    ]);
    expect(result.chains).toEqual([
      expect.objectContaining({
        id: 'shop-20260102-000000',
        window: expect.objectContaining({ to: at(2, 15) }),
      }),
    ]);
    expect(
      readdirSync(dir)
        .filter((n) => n.endsWith('.stow'))
        .sort(),
    ).toEqual([
      'shop-20260102-000000.seg-000001.stow',
      'shop-20260102-000000.stow',
      'shop-20260103-000000.stow',
    ]);
  });
});
