import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type GarbagePointContext, garbagePoints } from '../garbage-points.js';

/**
 * Heap in use below which a garbage point collects nothing: a backup or
 * restore of a few thousand tables never gets there (its peak is under
 * 150 MiB of RSS as it is), so it pays nothing; one of 20,000 tables is at
 * 110–140 MB at each point.
 */
export const COLLECT_FROM_HEAP_BYTES = 96 * 1024 * 1024;

/** V8's `gc` function, as `--expose-gc` gives it. */
type Collector = (options: { type: 'major'; execution: 'sync' }) => void;

/**
 * Runs a full garbage collection at each garbage point of the run
 * (garbage-points.ts) while the heap holds at least `fromHeapBytes` (when not
 * given: what the point says, else {@link COLLECT_FROM_HEAP_BYTES}): the
 * old space then starts the next phase at what is live, not at that plus
 * the last phase's garbage (peak RSS of a 20,000-table backup and restore:
 * docs/BENCHMARKS.md). One collection costs about what V8's own next one
 * would (0.1–0.2 s of CPU with 100 MB live).
 *
 * Node gives no API to ask for a collection; `--expose-gc` would, but only
 * as a flag at start. It is set here for the moment a new context is made, which
 * then has `gc`, and unset again, so later contexts and workers are as they
 * were. Should that fail on some Node, nothing is collected and the run goes on.
 * For the CLI's own process only: a library leaves its host's heap alone.
 *
 * @returns a function that stops collecting
 */
export function collectAtGarbagePoints(fromHeapBytes?: number): () => void {
  // Made at the first point that collects: most runs never need it.
  let collect: Collector | null | undefined;
  const onPoint = (message: unknown) => {
    const from = fromHeapBytes ?? (message as GarbagePointContext).fromHeapBytes ?? COLLECT_FROM_HEAP_BYTES;
    if (getHeapStatistics().used_heap_size < from) return;
    collect ??= exposedCollector();
    collect?.({ type: 'major', execution: 'sync' });
  };
  garbagePoints.subscribe(onPoint);
  return () => {
    garbagePoints.unsubscribe(onPoint);
  };
}

/** V8's `gc`: the process's own when Node was started with `--expose-gc`, else one from a new context. */
function exposedCollector(): Collector | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Collector;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Collector) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
