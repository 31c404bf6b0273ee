import { describe, expect, it } from 'vitest';
import { progressLog } from '../../src/cli/progress-log.js';
import { counted, countItems, countUnits, unitsNoun } from '../../src/engines/nouns.js';

describe('progress log', () => {
  it('counts each operation from zero: a restore after a safety backup does not add both', () => {
    const lines: string[] = [];
    const log = progressLog((l) => lines.push(l.slice(9)));
    // The safety backup: one table of 3000 bytes.
    log({ type: 'plan', units: [{ name: 'public.a', estimatedBytes: 3000 }], summary: '1 table' });
    log({ type: 'unit-start', name: 'public.a' });
    log({ type: 'unit-progress', name: 'public.a', items: 10, bytes: 1000 });
    log({ type: 'unit-done', name: 'public.a', items: 30, bytes: 3000 });
    // The restore itself: its first progress line counts only its own bytes.
    log({ type: 'plan', units: [{ name: 'public.b' }, { name: 'public.b#1' }], summary: '1 table' });
    log({ type: 'unit-start', name: 'public.b' });
    log({ type: 'unit-progress', name: 'public.b', items: 1, bytes: 10 });
    expect(lines.filter((l) => l.startsWith('… '))).toEqual([
      expect.stringMatching(/^… 1000 B so far/),
      expect.stringMatching(/^… 10 B so far/),
    ]);
    expect(lines).toContain('1 table to process');
    expect(lines).toContain('done public.a: 30 items, 2.9 KiB');
  });

  it('says streams, not tables/collections, when the engine gave no summary', () => {
    const lines: string[] = [];
    progressLog((l) => lines.push(l.slice(9)))({ type: 'plan', units: [{ name: 'x' }] });
    expect(lines).toEqual(['1 stream to process']);
  });
});

describe('progress log of many tables', () => {
  it('lists only big or slow tables past 50, with running totals and one line for the rest', () => {
    const lines: string[] = [];
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const log = progressLog(
      (l) => lines.push(l.slice(9)),
      () => clock,
    );
    const n = 20_000;
    log({ type: 'plan', units: Array.from({ length: n }, (_, i) => ({ name: `public.t${i}` })) });
    for (let i = 0; i < n; i++) {
      const name = `public.t${i}`;
      log({ type: 'unit-start', name });
      // One big table, one slow one; the others small and quick (1 ms each: 20 s in all).
      if (i === 7000) clock += 6000;
      clock += 1;
      log({ type: 'unit-done', name, items: 50, bytes: i === 100 ? 100 * 1024 * 1024 : 4096 });
    }
    log({ type: 'phase', phase: 'done' });

    const done = lines.filter((l) => l.startsWith('done '));
    expect(done).toEqual([
      'done public.t100: 50 items, 100 MiB',
      'done public.t7000: 50 items, 4.0 KiB',
      expect.stringMatching(/^done 19998 more streams \(78 MiB\), each under 32 MiB and 5 s$/),
    ]);
    const totals = lines.filter((l) => l.startsWith('… '));
    // One at the start, then one per 5 s of the 26 s.
    expect(totals.length).toBeGreaterThanOrEqual(4);
    expect(totals.length).toBeLessThanOrEqual(7);
    expect(totals.at(-1)).toMatch(/of 20000 streams done$/);
    expect(lines.length).toBeLessThan(15);
    expect(lines.at(-1)).toBe('done');
  });

  it('still lists every table of a plan of up to 50', () => {
    const lines: string[] = [];
    const log = progressLog((l) => lines.push(l.slice(9)));
    log({ type: 'plan', units: Array.from({ length: 50 }, (_, i) => ({ name: `t${i}` })) });
    for (let i = 0; i < 50; i++) log({ type: 'unit-done', name: `t${i}`, items: 1, bytes: 10 });
    expect(lines.filter((l) => l.startsWith('done t'))).toHaveLength(50);
  });
});

describe('engine nouns', () => {
  it('names units and items as each engine does, with the right plural', () => {
    expect(counted(1, 'frame')).toBe('1 frame');
    expect(counted(2, 'frame')).toBe('2 frames');
    expect(counted(0, 'entry', 'entries')).toBe('0 entries');
    expect(countUnits('postgres', 1)).toBe('1 table');
    expect(countUnits('mongodb', 3)).toBe('3 collections');
    expect(countItems('postgres', 2)).toBe('2 rows');
    expect(countItems('mongodb', 1)).toBe('1 document');
    expect(unitsNoun('mongodb', 1)).toBe('collection');
  });
});
