import { describe, expect, it } from 'vitest';
import type { ChainMark } from '../../src/archive/manifest.js';
import { chainWindow, type SegmentInfo, selectChain, withinBound } from '../../src/catalog/chain-window.js';
import { compareOplogPositions } from '../../src/engines/mongodb/oplog-position.js';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const base = (after: string, finishedSecond: number) => ({
  finishedAt: t(finishedSecond),
  mark: { id: 'c', feedId: 'f', role: 'base', sequence: 0, after, transactions: 0 } as ChainMark,
});
const segment = (
  sequence: number,
  after: string,
  last: string,
  covered: number,
  extra: Partial<SegmentInfo> = {},
) =>
  ({
    name: `c.seg-${String(sequence).padStart(6, '0')}.stow`,
    location: `/r/c.seg-${sequence}`,
    bytes: 100,
    sequence,
    mark: {
      id: 'c',
      feedId: 'f',
      role: 'segment',
      sequence,
      after,
      last,
      transactions: 2,
      firstCommitAt: t(covered - 1).toISOString(),
      lastCommitAt: t(covered - 1).toISOString(),
      coveredUntil: t(covered).toISOString(),
    },
    ...extra,
  }) as SegmentInfo;

describe('a chain window', () => {
  it('runs from the base to the last segment that follows on, in any listing order', () => {
    const state = chainWindow(base('10:0', 5), [
      segment(2, '20:0', '30:0', 30),
      segment(1, '10:0', '20:0', 20),
    ]);
    expect(state.gap).toBeUndefined();
    expect(state.window).toMatchObject({
      from: t(5),
      to: t(30),
      fromPosition: '10:0',
      toPosition: '30:0',
      usableSegments: 2,
      transactions: 4,
    });
  });

  it('stops at a missing, unreadable or misplaced segment and says which', () => {
    const missing = chainWindow(base('10:0', 5), [
      segment(1, '10:0', '20:0', 20),
      segment(3, '30:0', '40:0', 40),
    ]);
    expect(missing.window).toMatchObject({ to: t(20), toPosition: '20:0', usableSegments: 1 });
    expect(missing.gap).toMatch(/segment 2 is missing/);

    const unreadable = chainWindow(base('10:0', 5), [
      segment(1, '10:0', '20:0', 20, { unreadable: 'truncated' }),
    ]);
    expect(unreadable.window).toBeUndefined();
    expect(unreadable.gap).toMatch(/cannot be read: truncated/);

    const misplaced = chainWindow(base('10:0', 5), [
      segment(1, '10:0', '20:0', 20),
      segment(2, '25:0', '30:0', 30),
    ]);
    expect(misplaced.window?.toPosition).toBe('20:0');
    expect(misplaced.gap).toMatch(/starts after 25:0, but the chain had reached 20:0/);
  });

  it('has no window with a base alone, and takes a heartbeat only where the segments end', () => {
    expect(chainWindow(base('10:0', 5), []).window).toBeUndefined();
    const idle = chainWindow(base('10:0', 5), [], {
      position: '10:0',
      coveredUntil: t(50).toISOString(),
      updatedAt: '',
    });
    expect(idle.window).toMatchObject({ from: t(5), to: t(50), toPosition: '10:0' });
    // A heartbeat written for a position the segments do not reach (a segment lost since) says nothing.
    const stale = chainWindow(base('10:0', 5), [segment(1, '10:0', '20:0', 20)], {
      position: '30:0',
      coveredUntil: t(90).toISOString(),
      updatedAt: '',
    });
    expect(stale.window?.to).toEqual(t(20));
  });
});

describe('choosing the chain for a restore', () => {
  const window = (fromS: number, toS: number, fromP: string, toP: string) => ({
    from: t(fromS),
    to: t(toS),
    fromPosition: fromP,
    toPosition: toP,
    usableSegments: 1,
    transactions: 1,
  });
  const chains = [
    { id: 'old', window: window(0, 100, '1:0', '100:0') },
    { id: 'broken', window: undefined },
    { id: 'new', window: window(80, 200, '80:0', '200:0') },
  ];

  it('takes the newest chain whose window holds the moment', () => {
    expect(selectChain(chains, { kind: 'time', at: t(50) }).id).toBe('old');
    expect(selectChain(chains, { kind: 'time', at: t(90) }).id).toBe('new');
    expect(selectChain(chains, { kind: 'time', at: t(200) }).id).toBe('new');
    expect(selectChain(chains, { kind: 'latest' }).id).toBe('new');
    const at = (position: string) => ({
      kind: 'position' as const,
      position,
      compare: compareOplogPositions,
    });
    expect(selectChain(chains, at('50:3')).id).toBe('old');
    expect(selectChain(chains, at('150:0')).id).toBe('new');
  });

  it('refuses a moment outside every window, listing the windows', () => {
    expect(() => selectChain(chains, { kind: 'time', at: t(201) })).toThrow(
      /no continuous backup covers 2026-01-01T00:03:21.000Z; the repository can restore to old: .* new: /,
    );
    expect(() => selectChain([], { kind: 'latest' })).toThrow(/holds no chain with stored changes/);
  });

  it('replays a prefix: transactions up to the bound, inclusive', () => {
    const bound = { kind: 'time' as const, at: new Date(1000) };
    expect(withinBound({ position: 'x', commitTime: 1000 }, bound)).toBe(true);
    expect(withinBound({ position: 'x', commitTime: 1001 }, bound)).toBe(false);
    const byTs = { kind: 'position' as const, position: '5:2', compare: compareOplogPositions };
    expect(withinBound({ position: '5:2', commitTime: 0 }, byTs)).toBe(true);
    expect(withinBound({ position: '5:10', commitTime: 0 }, byTs)).toBe(false);
  });
});
