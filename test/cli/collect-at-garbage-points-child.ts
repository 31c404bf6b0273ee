/**
 * Child process of collect-at-garbage-points.unit.test.ts: fills V8's old
 * space with garbage (objects kept across event loop turns, as a phase's rows
 * are, then dropped), says a garbage point, and prints the heap in use just
 * before and just after it, in bytes. `collect`: the CLI's collector listens;
 * `below`: it listens but the heap is under its threshold; `none`: nobody listens.
 */
import { setImmediate } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import { collectAtGarbagePoints } from '../../src/cli/collect-at-garbage-points.js';
import { garbagePoint } from '../../src/garbage-points.js';

const mode = process.argv[2];
if (mode === 'collect') collectAtGarbagePoints(16 * 1024 * 1024);
if (mode === 'below') collectAtGarbagePoints(4 * 1024 * 1024 * 1024);
let rows: { n: number; text: string }[][] = [];
for (let turn = 0; turn < 40; turn++) {
  rows.push(Array.from({ length: 20_000 }, (_, n) => ({ n, text: `row ${turn}.${n}` })));
  // Kept while the event loop turns: scavenges move them to the old space.
  await setImmediate();
}
rows = [];
const before = getHeapStatistics().used_heap_size;
garbagePoint('test');
const after = getHeapStatistics().used_heap_size;
process.stdout.write(`${before} ${after}\n`);
