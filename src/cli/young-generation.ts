import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { type GarbagePointContext, garbagePoints } from '../garbage-points.js';
import { longSteps } from '../long-step.js';

/**
 * The young generation's size (both semi-spaces) past which it stops growing:
 * 16 MiB, what `--max-semi-space-size=8` gives.
 */
export const YOUNG_GENERATION_CAP = 16 * 1024 * 1024;

/**
 * Keeps V8's young generation (its "new space") at most `cap` bytes for the
 * rest of the process.
 *
 * V8 sizes the young generation from the machine's memory: here it doubled up
 * to 128 MiB while a backup of 3,000 tables ran, most of it garbage, for a
 * peak RSS of 260 MiB where 145 MiB does with the cap, at the same CPU
 * (docs/BENCHMARKS.md). `--max-semi-space-size` would say it, but only when Node
 * starts (a flag on the command line or in NODE_OPTIONS, or a second process),
 * and V8 reads its growth factor each time it grows the space: so the space
 * grows as usual up to the cap, and then the factor is set to 1, which stops it
 * there. Long synchronous steps (long-step.ts) hold it at its size while they
 * run. From a settled garbage point on (a restore's, once its footer is read:
 * garbage-points.ts) it is held at the size it has, under the cap: what the
 * restore allocates from there is garbage of one statement or one task, and
 * the 1–2 MiB the point's collection leaves it does (docs/BENCHMARKS.md,
 * "Session 18: rspeak2").
 * For the CLI's own process only: a library leaves its host's heap alone.
 */
export function capYoungGeneration(cap = YOUNG_GENERATION_CAP): void {
  let held = false;
  const reached = () => held || (newSpaceSize() ?? cap) >= cap;
  if (reached()) {
    setGrowthFactor(1);
    return;
  }
  // V8 grows the space in a garbage collection, by the growth factor, when enough survived it.
  // Between tasks: look after each collection, until it is reached.
  const observer = new PerformanceObserver(() => {
    if (!reached()) return;
    done();
  });
  // During a long synchronous step several collections run before the observer hears of any, and
  // the space would double past the cap (to 32 MiB of 16 while the footer of 3,000 tables parsed): it is
  // held at its size through the step, and may grow again after it.
  let depth = 0;
  const start = () => {
    if (depth++ === 0) setGrowthFactor(1);
  };
  const end = () => {
    if (--depth === 0) setGrowthFactor(reached() ? 1 : DEFAULT_GROWTH_FACTOR);
  };
  // Only a restore says a settled point: a backup's young generation grows to the cap as before.
  const onPoint = (message: unknown) => {
    if (!(message as GarbagePointContext).settled) return;
    held = true;
    done();
  };
  const done = () => {
    setGrowthFactor(1);
    observer.disconnect();
    longSteps.start.unsubscribe(start);
    longSteps.end.unsubscribe(end);
    garbagePoints.unsubscribe(onPoint);
  };
  observer.observe({ entryTypes: ['gc'] });
  longSteps.start.subscribe(start);
  longSteps.end.subscribe(end);
  garbagePoints.subscribe(onPoint);
}

/** The young generation's current size in bytes (undefined where V8 names it otherwise). */
export function newSpaceSize(): number | undefined {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size;
}

/** V8's `--semi-space-growth-factor` when no one set it: the space doubles. */
const DEFAULT_GROWTH_FACTOR = 2;

function setGrowthFactor(factor: number): void {
  setFlagsFromString(`--semi-space-growth-factor=${factor}`);
}
