// The read-time model bench extrapolates a full backup with: a cost per
// stream and a cost per byte, fitted on the running totals of the read.
import { describe, expect, it } from 'vitest';
import { ReadTimeModel } from '../../src/ops/bench-time-model.js';

const MiB = 1024 * 1024;

describe('bench read-time model', () => {
  it('recovers a per-table and a per-byte cost from a mix of small and big tables', () => {
    const perStream = 0.004; // 4 ms a table
    const perByte = 1 / (50 * MiB); // 50 MiB/s
    const model = new ReadTimeModel();
    let streams = 0;
    let bytes = 0;
    for (let i = 0; i < 300; i++) {
      streams++;
      bytes += i % 50 === 0 ? 20 * MiB : 4096;
      model.add(perStream * streams + perByte * bytes, streams, bytes);
    }
    const costs = model.fit()!;
    expect(costs.perStream).toBeCloseTo(perStream, 6);
    expect(costs.perByte * MiB).toBeCloseTo(perByte * MiB, 6);
  });

  it('extrapolates 1,000 small tables from 100 by their count, not their few bytes', () => {
    // Tables all alike: count and bytes move together; the prediction for more of the same must hold.
    const model = new ReadTimeModel();
    for (let n = 1; n <= 100; n++) model.add(0.003 * n, n, 3400 * n);
    const costs = model.fit()!;
    const predicted = 0.3 + costs.perStream * 900 + costs.perByte * 3400 * 900;
    expect(predicted).toBeCloseTo(3, 6);
  });

  it('never fits a negative cost', () => {
    // Big tables first, then many empty ones that cost nothing: a free fit would make tables cost less than nothing.
    const model = new ReadTimeModel();
    model.add(2, 1, 100 * MiB);
    model.add(4, 2, 200 * MiB);
    for (let n = 3; n < 100; n++) model.add(4, n, 200 * MiB);
    const costs = model.fit()!;
    expect(costs.perStream).toBeGreaterThanOrEqual(0);
    expect(costs.perByte).toBeGreaterThanOrEqual(0);
  });

  it('has no costs before a stream ended', () => {
    expect(new ReadTimeModel().fit()).toBeUndefined();
  });
});
