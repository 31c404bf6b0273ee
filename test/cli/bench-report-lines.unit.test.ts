// The bench's table with a level that came out bigger than a lower one (zstd does so on some table
// rows: level 3 over level 1 on the bench's small database) says so under the table, once.
import { describe, expect, it } from 'vitest';
import { benchReportLines } from '../../src/cli/commands/bench.js';
import type { BenchReport } from '../../src/ops/bench.js';

function report(ratios: [number | 'none', number][]): BenchReport {
  return {
    engine: 'postgres',
    source: 'postgres://h/db',
    database: 'db',
    budgetSeconds: 30,
    sampled: false,
    cut: false,
    units: [],
    read: { rows: 0, bytes: 0, seconds: 1, rowsPerSecond: 0, bytesPerSecond: 0 },
    sampledBytes: 1000,
    levels: ratios.map(([level, ratio]) => ({ level, ratio, bytesPerSecond: 1, archiveBytes: ratio * 1000 })),
    defaultLevel: 1,
    estimate: { rows: 0, rawBytes: 1000, archiveBytes: 128, seconds: 1 },
  } as BenchReport;
}

describe('bench report lines', () => {
  it('says when a higher level made a bigger archive than a lower one', () => {
    const lines = benchReportLines(
      report([
        [1, 0.128],
        [3, 0.142],
        [6, 0.126],
        [9, 0.117],
      ]),
    );
    const said = lines.filter((l) => l.includes('bigger archive'));
    expect(said).toEqual([
      'level 3 makes a bigger archive than level 1 on this data: zstd does so on some table rows (the same frames at each level), so pick by the table, not by the number',
    ]);
  });

  it('says nothing when each level is smaller than the ones below it', () => {
    const lines = benchReportLines(
      report([
        ['none', 1],
        [1, 0.3],
        [3, 0.25],
        [9, 0.2],
      ]),
    );
    expect(lines.some((l) => l.includes('bigger archive'))).toBe(false);
  });
});
