// bench's per-unit figures from what its streams saw: a stream the budget cut
// off mid-read is a sample (rows and bytes read so far, the fraction of the
// whole they are, the whole extrapolated), never a unit that looks complete.
import { describe, expect, it } from 'vitest';
import { type StreamMeasure, unitsOf } from '../../src/ops/bench-units.js';

const MiB = 1024 * 1024;

function stream(name: string, over: Partial<StreamMeasure>): StreamMeasure {
  return { name, bytes: 0, items: 0, first: 1000, last: 2000, done: true, stopped: false, ...over };
}

const unitOf = (s: string) => s.replace(/#\d+$/, '');

describe('bench units', () => {
  it('reports a stream cut mid-read as sampled: rows and bytes so far, fraction, extrapolated whole', () => {
    const estimates = new Map([
      ['public.big', { items: 1_000_000, bytes: 100 * MiB }],
      ['public.small', { items: 10, bytes: 1000 }],
    ]);
    const latest = new Map([['public.big', { items: 98_000, bytes: 9.8 * MiB }]]);
    const units = unitsOf(
      [
        stream('public.big', { bytes: 10 * MiB, done: false }),
        stream('public.small', { bytes: 1000, items: 10 }),
      ],
      estimates,
      latest,
      unitOf,
      true,
    );
    const big = units.find((u) => u.unit === 'public.big')!;
    expect(big.complete).toBe(false);
    expect(big.rows).toBe(98_000);
    expect(big.bytes).toBe(10 * MiB);
    expect(big.fraction).toBeCloseTo(0.098, 3);
    expect(big.estimatedRows).toBe(1_000_000);
    expect(big.estimatedBytes).toBe(100 * MiB);
    const small = units.find((u) => u.unit === 'public.small')!;
    expect(small).toMatchObject({ complete: true, rows: 10, bytes: 1000 });
    expect(small.fraction).toBeUndefined();
  });

  it('a stream opened but cut before any byte is not a sample: cut, with the estimate as its whole', () => {
    const units = unitsOf(
      [stream('public.t', { done: false })],
      new Map([['public.t', { items: 500, bytes: 5 * MiB }]]),
      new Map(),
      unitOf,
      true,
    );
    expect(units[0]).toMatchObject({ complete: false, rows: 0, estimatedRows: 500, estimatedBytes: 5 * MiB });
    expect(units[0]!.fraction).toBeUndefined();
  });

  it('a part of a split table cut mid-read makes the table sampled, over all its parts', () => {
    const estimates = new Map([
      ['public.w#1', { items: 500, bytes: 50 * MiB }],
      ['public.w#2', { items: 500, bytes: 50 * MiB }],
    ]);
    const units = unitsOf(
      [
        stream('public.w#1', { bytes: 50 * MiB, items: 500 }),
        stream('public.w#2', { bytes: 25 * MiB, done: false }),
      ],
      estimates,
      new Map([['public.w#2', { items: 250, bytes: 25 * MiB }]]),
      unitOf,
      true,
    );
    expect(units).toHaveLength(1);
    expect(units[0]).toMatchObject({ unit: 'public.w', complete: false, rows: 750, estimatedRows: 1000 });
    expect(units[0]!.fraction).toBeCloseTo(0.75, 5);
  });
});
