/**
 * Child process of collect-at-garbage-points.unit.test.ts: fills V8's old
 * space with garbage (objects kept across event loop turns, as a phase's rows
 * are, then dropped), says a garbage point, and prints the heap in use just
 * before and just after it, in bytes. `collect`: the CLI's collector listens;
 * `below`: it listens but the heap is under its threshold; `none`: nobody listens.
 * `settled` and `unsettled`: the collector listens at a settled point (a
 * restore's) or another one, and the child prints V8's committed heap and its
 * young generation's size after the point instead.
 */
import { setImmediate } from 'node:timers/promises';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { collectAtGarbagePoints } from '../../src/cli/collect-at-garbage-points.js';
import { garbagePoint } from '../../src/garbage-points.js';

const mode = process.argv[2];
if (mode === 'collect' || mode === 'settled' || mode === 'unsettled')
  collectAtGarbagePoints(16 * 1024 * 1024, 16 * 1024 * 1024);
if (mode === 'below') collectAtGarbagePoints(4 * 1024 * 1024 * 1024);
let rows: { n: number; text: string }[][] = [];
for (let turn = 0; turn < 40; turn++) {
  rows.push(Array.from({ length: 20_000 }, (_, n) => ({ n, text: `row ${turn}.${n}` })));
  // Kept while the event loop turns: scavenges move them to the old space.
  await setImmediate();
}
rows = [];
if (mode === 'settled' || mode === 'unsettled') {
  garbagePoint('test', { settled: mode === 'settled' });
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size;
  process.stdout.write(`${getHeapStatistics().total_heap_size} ${young}\n`);
} else {
  const before = getHeapStatistics().used_heap_size;
  garbagePoint('test');
  const after = getHeapStatistics().used_heap_size;
  process.stdout.write(`${before} ${after}\n`);
}
