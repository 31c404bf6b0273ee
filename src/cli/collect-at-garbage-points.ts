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

/**
 * The same for a settled point (GarbagePointContext.settled), lower: a
 * 20,000-table restore whose schema is packed (engines/postgres/packed-object.ts)
 * is at ~92 MB there, and the growth set at the collection holds for the rest
 * of the run; a restore of 3,000 tables is at ~30 MB.
 */
export const SETTLED_COLLECT_FROM_HEAP_BYTES = 64 * 1024 * 1024;

/**
 * How far, in percent of what a full collection left live, V8 lets the old
 * space grow before its next full collection, once a settled garbage point
 * (GarbagePointContext.settled: a restore's) has collected. V8's own factor goes to 2× and more when it finds the heap cheap
 * to collect: after the last garbage point of a 20,000-table restore no full
 * collection came for ~33 s while the heap doubled with garbage, and such runs
 * peaked at 280–307 MiB of RSS where the others stay at ~225
 * (docs/BENCHMARKS.md, "Session 15: memtail").
 */
export const GROWING_PERCENT_AFTER_COLLECTION = 30;

/** V8's `gc` function, as `--expose-gc` gives it. */
type Collector = (options: {
  type: 'major';
  execution: 'sync';
  /** `last-resort`: collects until nothing more goes, compacts, and gives the freed pages back. */
  flavor?: 'regular' | 'last-resort';
}) => void;

/**
 * Runs a full garbage collection at each garbage point of the run
 * (garbage-points.ts) while the heap holds at least `fromHeapBytes` (when not
 * given: what the point says, else {@link COLLECT_FROM_HEAP_BYTES}; at a settled
 * point no more than {@link SETTLED_COLLECT_FROM_HEAP_BYTES}, or `settledFromHeapBytes`): the
 * old space then starts the next phase at what is live, not at that plus
 * the last phase's garbage (peak RSS of a 20,000-table backup and restore:
 * docs/BENCHMARKS.md). One collection costs about what V8's own next one
 * would (0.1–0.2 s of CPU with 100 MB live). From the first settled point
 * that collects on, V8's old space may grow by
 * {@link GROWING_PERCENT_AFTER_COLLECTION} percent of what is live before V8
 * collects it again, not by its own factor of 2 or more: the phases after the
 * point then stay at the height of the earlier ones.
 *
 * Node gives no API to ask for a collection; `--expose-gc` would, but only
 * as a flag at start. It is set here for the moment a new context is made, which
 * then has `gc`, and unset again, so later contexts and workers are as they
 * were. Should that fail on some Node, nothing is collected and the run goes on.
 * For the CLI's own process only: a library leaves its host's heap alone.
 *
 * @returns a function that stops collecting
 */
export function collectAtGarbagePoints(fromHeapBytes?: number, settledFromHeapBytes?: number): () => void {
  // Made at the first point that collects: most runs never need it.
  let collect: Collector | null | undefined;
  let growthSet = false;
  const onPoint = (message: unknown) => {
    const point = message as GarbagePointContext;
    const settled = point.settled === true;
    const from = fromHeapBytes ?? point.fromHeapBytes;
    const threshold = settled
      ? (settledFromHeapBytes ??
        Math.min(from ?? SETTLED_COLLECT_FROM_HEAP_BYTES, SETTLED_COLLECT_FROM_HEAP_BYTES))
      : (from ?? COLLECT_FROM_HEAP_BYTES);
    if (getHeapStatistics().used_heap_size < threshold) return;
    collect ??= exposedCollector();
    if (settled && !growthSet) {
      growthSet = true;
      // From here on the live set is big and long-lived and what the run allocates is mostly garbage:
      // V8 reads the factor at each full collection, so it holds for the rest of the process. Only
      // there: at a backup's points (not settled) it cost ~9 % of a 20,000-table backup's CPU.
      setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT_AFTER_COLLECTION}`);
    }
    // At a settled point (a restore's) V8 gives back what it freed: a regular collection left the
    // 20,000-table restore at ~78 MB of heap committed over ~53 live, and the young generation at its
    // size; this one compacts and shrinks both, and the restore goes on from ~42 (docs/BENCHMARKS.md,
    // "Session 18: rspeak2"). A backup's points stay regular.
    collect?.({ type: 'major', execution: 'sync', ...(settled ? { flavor: 'last-resort' as const } : {}) });
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
