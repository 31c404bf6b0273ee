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
