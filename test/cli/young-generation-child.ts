/**
 * Child process of young-generation.unit.test.ts: allocates objects that
 * live a little while (what makes V8 grow its young generation), with or
 * without the cap, and prints the largest young generation it saw, in bytes.
 * `capped`: the allocation yields to the event loop now and then, as a real
 * run does; `burst` and `long-step`: one synchronous burst, outside or inside
 * a long step (long-step.ts), that gives the cap's observer no chance to run;
 * `settled`: as `capped`, after a settled garbage point (a restore's).
 */
import { setImmediate } from 'node:timers/promises';
import { capYoungGeneration, newSpaceSize } from '../../src/cli/young-generation.js';
import { garbagePoint } from '../../src/garbage-points.js';
import { longStep } from '../../src/long-step.js';

const mode = process.argv[2];
if (mode !== 'uncapped') capYoungGeneration();
if (mode === 'settled') garbagePoint('schema read', { settled: true });
let largest = 0;
let kept: { n: number; text: string }[] = [];
const allocate = (i: number) => {
  kept.push({ n: i, text: `row ${i}` });
  if (kept.length > 200_000) kept = [];
  if (i % 10_000 === 0) largest = Math.max(largest, newSpaceSize() ?? 0);
};
if (mode === 'burst' || mode === 'long-step') {
  const burst = () => {
    for (let i = 0; i < 1_500_000; i++) allocate(i);
  };
  if (mode === 'long-step') longStep('allocating', burst);
  else burst();
} else {
  for (let i = 0; i < 1_500_000; i++) {
    allocate(i);
    // The cap is applied after garbage collections, from the event loop, as in a real run.
    if (i % 10_000 === 0) await setImmediate();
  }
}
process.stdout.write(`${largest}\n`);
