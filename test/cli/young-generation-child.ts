/**
 * Child process of young-generation.unit.test.ts: allocates objects that
 * live a little while (what makes V8 grow its young generation), with or
 * without the cap, and prints the largest young generation it saw, in bytes.
 */
import { setImmediate } from 'node:timers/promises';
import { capYoungGeneration, newSpaceSize } from '../../src/cli/young-generation.js';

if (process.argv[2] === 'capped') capYoungGeneration();
let largest = 0;
let kept: { n: number; text: string }[] = [];
for (let i = 0; i < 1_500_000; i++) {
  kept.push({ n: i, text: `row ${i}` });
  if (kept.length > 200_000) kept = [];
  if (i % 10_000 === 0) {
    largest = Math.max(largest, newSpaceSize() ?? 0);
    // The cap is applied after garbage collections, from the event loop, as in a real run.
    await setImmediate();
  }
}
process.stdout.write(`${largest}\n`);
