// The bench's budget share, with explicit clocks (no timing): small units get what they need,
// the big ones split the rest, and a thousand small tables do not starve a big one.
import { describe, expect, it } from 'vitest';
import { BudgetShare } from '../../src/ops/bench-share.js';

const MiB = 1024 * 1024;
const rate = 10 * MiB; // bytes/s assumed per connection

describe('BudgetShare', () => {
  it('gives a big unit what the thousand small ones leave', () => {
    // 10 s on 1 connection at 10 MiB/s: 100 MiB to share; the small ones need 1000 × 20 KiB.
    const share = new BudgetShare(10_000, 1, rate);
    share.plan([
      { name: 'big', estimatedBytes: 1000 * MiB },
      ...Array.from({ length: 1000 }, (_, i) => ({ name: `t${i}`, estimatedBytes: 20 * 1024 })),
    ]);
    const allowed = share.start('big', 1000 * MiB, 0);
    expect(allowed).toBeGreaterThan(80 * MiB);
    expect(allowed).toBeLessThan(100 * MiB);
    expect(BudgetShare.fraction(1000 * MiB, allowed)).toBeCloseTo(allowed / (1000 * MiB));
    // The small ones are read whole.
    expect(share.start('t0', 20 * 1024, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('splits the time equally between big units, and reads whole what fits', () => {
    const share = new BudgetShare(10_000, 2, rate);
    share.plan([
      { name: 'a', estimatedBytes: 500 * MiB },
      { name: 'b', estimatedBytes: 500 * MiB },
      { name: 'c', estimatedBytes: 500 * MiB },
      { name: 'd', estimatedBytes: 500 * MiB },
    ]);
    // 2 connections × 10 s × 10 MiB/s = 200 MiB for 4 units: 50 MiB each.
    expect(share.start('a', 500 * MiB, 0)).toBeCloseTo(50 * MiB);
    // Half the time gone, 3 units left: 100 MiB among them.
    expect(share.start('b', 500 * MiB, 5_000)).toBeCloseTo((100 * MiB) / 3);
    const roomy = new BudgetShare(10_000, 1, rate);
    roomy.plan([{ name: 'x', estimatedBytes: 50 * MiB }]);
    expect(BudgetShare.fraction(50 * MiB, roomy.start('x', 50 * MiB, 0))).toBe(1);
  });

  it('never samples below 1 MiB, and shares time equally when sizes are unknown', () => {
    const late = new BudgetShare(1_000, 1, rate);
    late.plan([{ name: 'x', estimatedBytes: 100 * MiB }]);
    expect(late.start('x', 100 * MiB, 5_000)).toBe(MiB);
    const timed = new BudgetShare(9_000, 1, rate);
    timed.plan([{ name: 'db.a' }, { name: 'db.b' }, { name: 'db.c' }]);
    expect(timed.startTimed('db.a', 0)).toBeCloseTo(3_000);
  });
});
