import { channel } from 'node:diagnostics_channel';

/** What a {@link garbagePoint} publishes: where the run is, for subscribers that log it. */
export interface GarbagePointContext {
  what: string;
  /** Heap in use from which a collection here pays, when the point knows better than the collector's default. */
  fromHeapBytes?: number;
  /**
   * What is live now stays so to the end of the run, and nearly all the run
   * allocates from here on is garbage (a restore's schema and plan once its
   * statements run), so the heap need not grow far past what is live.
   */
  settled?: boolean;
}

/**
 * Where a run says that most of what it allocated so far is garbage now, and
 * what is still live will stay so for a long time: a backup's catalog rows
 * once its objects are built, its data phase's per-table garbage before the
 * footer is written, a restore's parsed footer and checks once its
 * statements run. With 20,000 tables that garbage is some 50 MB that
 * V8 moved to its old space while it was in use; V8 collects the old space
 * only once it has grown to a multiple of what the last collection left, so
 * it stayed, and the next phase's garbage piled on top of it (docs/BENCHMARKS.md,
 * "Session 13: 20,000 tables' peak memory").
 *
 * A process that owns its heap (the CLI: cli/collect-at-garbage-points.ts)
 * subscribes and collects there; a library's host that subscribes nothing
 * pays one check a point.
 */
export const garbagePoints = channel('stowage:garbage-point');

/** Says a garbage point: subscribers hear of it synchronously, before the run goes on. */
export function garbagePoint(what: string, point: Omit<GarbagePointContext, 'what'> = {}): void {
  if (!garbagePoints.hasSubscribers) return;
  const context: GarbagePointContext = { what, ...point };
  garbagePoints.publish(context);
}
