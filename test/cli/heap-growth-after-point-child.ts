/**
 * Child process of collect-at-garbage-points.unit.test.ts: keeps some 50 MB
 * live, says a garbage point, then allocates garbage that reaches V8's old
 * space (rows kept across event loop turns, then dropped), as the phases
 * after a run's last garbage point do. Prints the heap in use right after the
 * point and the most it reached afterwards, in bytes. `collect`: the CLI's
 * collector listens to a settled point; `unsettled`: it listens to a point that
 * is not settled (a backup's); `none`: nobody listens.
 */
import { setImmediate } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import { collectAtGarbagePoints } from '../../src/cli/collect-at-garbage-points.js';
import { garbagePoint } from '../../src/garbage-points.js';

const mode = process.argv[2];
if (mode === 'collect' || mode === 'unsettled') collectAtGarbagePoints(16 * 1024 * 1024);
const live = Array.from({ length: 600_000 }, (_, n) => ({ n, text: `live ${n}` }));
await setImmediate();
garbagePoint('test', { settled: mode !== 'unsettled' });
const afterPoint = getHeapStatistics().used_heap_size;
let most = afterPoint;
for (let round = 0; round < 20; round++) {
  let rows: unknown[] = [];
  for (let turn = 0; turn < 10; turn++) {
    rows.push(Array.from({ length: 20_000 }, (_, n) => ({ n, text: `row ${round}.${turn}.${n}` })));
    await setImmediate();
    most = Math.max(most, getHeapStatistics().used_heap_size);
  }
  rows = [];
}
process.stdout.write(`${afterPoint} ${most} ${live.length}\n`);
