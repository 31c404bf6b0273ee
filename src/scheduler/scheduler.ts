/**
 * The one scheduler: runs a graph of tasks on a fixed set of workers (a
 * database session each, or just slot numbers). The engines' backups and
 * restores run on it, and the repository catalog reads manifests through
 * {@link mapLimited}, so it belongs to neither layer.
 *
 * A task starts once every task it depends on has finished, no running task
 * holds a conflicting lock on a key it names (two `share` holders may run
 * together, an `exclusive` one runs alone), and each per-key limit it counts
 * against has room. Among the tasks that could start, the one of highest
 * `priority` goes first, then the biggest (`size`), then the earliest listed:
 * the longest work starts at once and the small tasks fill in around it.
 *
 * Tasks that name a `batch` may be handed to one worker together
 * ({@link ScheduleOptions.runBatch}): when a worker takes such a task it also
 * takes the other ready tasks of that batch key that could start, up to
 * `batchLimit` and its share of them (the ready tasks of the key, by count and
 * by weight, divided by the workers that have not yet taken a batch of that key
 * in the same turn: two idle connections each get half of a few small tables
 * rather than one getting all of them, a connection that comes free while
 * the other still works takes half of the ready index builds, not all, and so
 * does one whose partner was just handed a one-millisecond view), and
 * runs them one after the other in one turn. Batch-mates may
 * hold conflicting locks on one key (they never run at the same time), but
 * none conflicts with a task on another worker. Thousands of small tasks then
 * cost a few round trips instead of one each.
 *
 * The first failure (a task's error, or the caller's signal) stops new tasks
 * from starting, aborts the signal the running tasks were given, calls
 * `onFailure` (to cancel what a signal cannot reach, e.g. a running query),
 * and is thrown once every started task has settled, so no task outlives the
 * call and no rejection is lost.
 */

import { RankHeap } from './rank-heap.js';

/** How a task holds a lock key: `share` holders run side by side, `exclusive` alone. */
export const LOCK_MODES = ['share', 'exclusive'] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export interface ScheduledTask<W> {
  /** Unique among the tasks of one run. */
  id: string;
  /** Ids of tasks that must finish first; ids not among the tasks count as done. */
  deps?: readonly string[];
  /**
   * More ids to wait for, as {@link deps}: a second list, so that a task whose dependencies are
   * its own plus a list shared with other tasks refers to both instead of a copy of them joined
   * (a restore of 20,000 tables: 60,000 such copies).
   */
  after?: readonly string[];
  locks?: readonly { key: string; mode: LockMode }[];
  /** Keys of per-key concurrency limits ({@link ScheduleOptions.limitOf}) the task counts against while it runs. */
  limits?: readonly string[];
  /** Ahead of every ready task of lower priority, whatever its size (default 0). */
  priority?: number;
  /** Among ready tasks of one priority, the biggest starts first (default 0). */
  size?: number;
  /** Tasks of one batch key may run together on one worker ({@link ScheduleOptions.runBatch}). */
  batch?: string;
  /** How much a task weighs against {@link ScheduleOptions.batchLimit}'s `weight` (default 0). */
  batchWeight?: number;
  /** The work. `signal` aborts when another task failed or the run was cancelled. */
  run(worker: W, signal: AbortSignal): Promise<void>;
}

export interface ScheduleOptions<W = unknown> {
  /** Cancels the run: nothing new starts, and the reason is thrown once the running tasks settled. */
  signal?: AbortSignal;
  /** Tasks counting against `key` that may run at once (at least 1); undefined: no limit. */
  limitOf?: (key: string) => number | undefined;
  /** Called once, at the first failure, while tasks may still be running. */
  onFailure?: (error: unknown) => void;
  /**
   * Runs two or more tasks of one batch key on `worker` in one turn, in the
   * order given; all of them finish (or fail) together. Without it tasks run
   * one at a time whatever their `batch`.
   */
  runBatch?: (tasks: ScheduledTask<W>[], worker: W, signal: AbortSignal) => Promise<void>;
  /** Most tasks, and most total `batchWeight`, in one batch (default 64 tasks, no weight limit). */
  batchLimit?: { tasks?: number; weight?: number };
}

/** Thrown when tasks wait for each other in a circle (or for tasks that never start). */
export class ScheduleCycleError extends Error {
  constructor(readonly waiting: string[]) {
    super(`tasks cannot start (dependency cycle): ${waiting.join(', ')}`);
    this.name = 'ScheduleCycleError';
  }
}

interface Entry<W> {
  task: ScheduledTask<W>;
  /** Place in start order: priority, then size, then list order. */
  rank: number;
  /** Dependencies not finished yet. */
  unmet: number;
  dependents: Entry<W>[];
}

/**
 * Runs `tasks` on `workers` (at most one task per worker at a time) and
 * resolves when all have finished; rejects with the first failure once every
 * started task has settled. The schedule lets go of each task once it has
 * finished (and of `tasks` itself at once): a caller that keeps none of them
 * lets them be collected as the run goes on.
 */
export function runSchedule<W>(
  tasks: readonly ScheduledTask<W>[],
  workers: readonly W[],
  options: ScheduleOptions<W> = {},
): Promise<void> {
  if (tasks.length === 0) return Promise.resolve();
  if (workers.length === 0) return Promise.reject(new Error('runSchedule needs at least one worker'));
  // Wired here, not in the async function that runs them: that keeps its arguments to its end
  // (a restore of 20,000 tables: 80,000 tasks, their entries and an id map of them, ~20 MB).
  let pending: (Entry<W> | undefined)[];
  try {
    pending = wired(tasks);
  } catch (err) {
    return Promise.reject(err);
  }
  return runWired(pending, workers, options);
}

/** The tasks' entries in start order (an entry's index is its rank), each knowing what waits for it. */
function wired<W>(tasks: readonly ScheduledTask<W>[]): Entry<W>[] {
  const entries = new Map<string, Entry<W>>();
  inStartOrder(tasks).forEach((task, rank) => {
    if (entries.has(task.id)) throw new Error(`two tasks have the id "${task.id}"`);
    entries.set(task.id, { task, rank, unmet: 0, dependents: [] });
  });
  const wire = (entry: Entry<W>, deps: readonly string[] | undefined) => {
    for (const dep of deps ?? []) {
      const before = entries.get(dep);
      // A dependency named twice counts once: its last dependent is already this entry
      // (no Set per task: a restore of 20,000 tables schedules over 60,000 tasks).
      if (!before || before === entry || before.dependents.at(-1) === entry) continue;
      before.dependents.push(entry);
      entry.unmet++;
    }
  };
  for (const entry of entries.values()) {
    wire(entry, entry.task.deps);
    wire(entry, entry.task.after);
  }
  // Sized to what they hold: an array pushed into from empty keeps room for 16 more (a restore of
  // 20,000 tables: 40,000 such lists, ~4 MB, held to the end of the run).
  for (const entry of entries.values())
    if (entry.dependents.length) entry.dependents = entry.dependents.slice();
  return [...entries.values()];
}

/**
 * Runs the wired entries; `pending` holds those not finished yet (a finished one's slot is
 * emptied, so that nothing here holds its task any more).
 */
async function runWired<W>(
  pending: (Entry<W> | undefined)[],
  workers: readonly W[],
  options: ScheduleOptions<W>,
): Promise<void> {
  /** Tasks whose dependencies are done, lowest rank first, one heap per batch key ('' for none). */
  const ready = new Map<string, RankHeap<Entry<W>>>();
  /** Total `batchWeight` of each batch key's ready tasks, to share them among idle workers. */
  const readyWeight = new Map<string, number>();
  const keyOf = (e: Entry<W>) => (options.runBatch ? (e.task.batch ?? '') : '');
  const insertReady = (entry: Entry<W>) => {
    const key = keyOf(entry);
    let heap = ready.get(key);
    if (!heap) {
      heap = new RankHeap<Entry<W>>((e) => e.rank);
      ready.set(key, heap);
    }
    heap.add(entry);
    if (key) readyWeight.set(key, (readyWeight.get(key) ?? 0) + (entry.task.batchWeight ?? 0));
  };
  for (const e of pending) if (e && e.unmet === 0) insertReady(e);
  /** Running holders of each lock key, by mode. */
  const held = new Map<string, { share: number; exclusive: number }>();
  const inUse = new Map<string, number>();
  const idle = [...workers];
  const limitOf = (key: string) => Math.max(1, options.limitOf?.(key) ?? Number.POSITIVE_INFINITY);
  const cancel = new AbortController();
  let left = pending.length;
  let running = 0;
  let failure: { error: unknown } | undefined;
  let settle!: () => void;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const canStart = (task: ScheduledTask<W>) =>
    (task.locks ?? []).every((l) => {
      const h = held.get(l.key);
      return !h || (h.exclusive === 0 && l.mode === 'share');
    }) && (task.limits ?? []).every((key) => (inUse.get(key) ?? 0) < limitOf(key));

  const claim = (task: ScheduledTask<W>, sign: 1 | -1) => {
    for (const l of task.locks ?? []) {
      let h = held.get(l.key);
      if (!h) {
        h = { share: 0, exclusive: 0 };
        held.set(l.key, h);
      }
      h[l.mode] += sign;
      if (h.share === 0 && h.exclusive === 0) held.delete(l.key);
    }
    for (const key of task.limits ?? []) {
      const n = (inUse.get(key) ?? 0) + sign;
      if (n > 0) inUse.set(key, n);
      else inUse.delete(key);
    }
  };

  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    cancel.abort(error);
    options.onFailure?.(error);
  };

  const maxTasks = Math.max(1, options.batchLimit?.tasks ?? 64);
  const maxWeight = options.batchLimit?.weight ?? Number.POSITIVE_INFINITY;
  /**
   * Takes from `heap`, in rank order, the tasks that can start now (up to `count`, and within
   * `weight` when given), leaving the rest in it. Lock conflicts are checked against the
   * running tasks only, not among the tasks taken.
   */
  const takeStartable = (heap: RankHeap<Entry<W>>, count: number, weight?: { left: number }): Entry<W>[] => {
    const taken: Entry<W>[] = [];
    const passed: Entry<W>[] = [];
    while (taken.length < count && heap.size > 0) {
      const e = heap.take() as Entry<W>;
      const w = e.task.batchWeight ?? 0;
      if (canStart(e.task) && (!weight || w <= weight.left)) {
        if (weight) weight.left -= w;
        taken.push(e);
      } else passed.push(e);
    }
    for (const e of passed) heap.add(e);
    return taken;
  };

  /** The ready task to start next (lowest rank among those that can start), out of its heap. */
  const takeNext = (): Entry<W> | undefined => {
    let best: { entry: Entry<W>; heap: RankHeap<Entry<W>> } | undefined;
    for (const heap of ready.values()) {
      const [first] = takeStartable(heap, 1);
      if (!first) continue;
      if (!best || first.rank < best.entry.rank) {
        if (best) best.heap.add(best.entry);
        best = { entry: first, heap };
      } else heap.add(first);
    }
    return best?.entry;
  };

  const pump = () => {
    /**
     * Workers given a batch of each key in this turn: they took their share of it. Every other
     * worker comes back for one: those busy when the turn began, and those this turn gives other
     * work (a view, say, which takes a millisecond while the batch takes eighty).
     */
    const servedThisTurn = new Map<string, number>();
    while (!failure && idle.length > 0) {
      const entry = takeNext();
      if (!entry) break;
      const key = keyOf(entry);
      const heap = ready.get(key);
      let more: Entry<W>[] = [];
      if (key && heap) {
        // The ready tasks of the key are shared among the workers idle now and those still busy, so
        // that a handful of small tables (or their indexes) load on every connection instead of all
        // on the first, and a worker that comes free first does not take every index build while
        // the other, free a moment later, finds none left.
        const served = servedThisTurn.get(key) ?? 0;
        servedThisTurn.set(key, served + 1);
        const shares = workers.length - served;
        const own = entry.task.batchWeight ?? 0;
        const count = Math.min(maxTasks, Math.ceil((heap.size + 1) / shares));
        const share = Math.max(own, Math.ceil((readyWeight.get(key) ?? 0) / shares));
        more = takeStartable(heap, count - 1, { left: Math.min(maxWeight, share) - own });
      }
      const batch = [entry, ...more];
      if (key) {
        let w = readyWeight.get(key) ?? 0;
        for (const e of batch) w -= e.task.batchWeight ?? 0;
        readyWeight.set(key, w);
      }
      start(batch, idle.shift() as W);
    }
    if (running > 0) return;
    if (!failure && left > 0) {
      // Nothing runs and nothing can start: what is left waits on itself.
      const waiting = pending.filter((e): e is Entry<W> => e !== undefined && e.unmet > 0);
      fail(new ScheduleCycleError(waiting.map((e) => e.task.id)));
    }
    settle();
  };

  const start = (batch: Entry<W>[], worker: W) => {
    running++;
    for (const e of batch) claim(e.task, 1);
    // A task that throws before its first await rejects here too, never out of pump().
    Promise.resolve()
      .then(() =>
        batch.length === 1
          ? (batch[0] as Entry<W>).task.run(worker, cancel.signal)
          : options.runBatch?.(
              batch.map((e) => e.task),
              worker,
              cancel.signal,
            ),
      )
      .then(
        () => {
          for (const entry of batch) {
            left--;
            pending[entry.rank] = undefined;
            for (const next of entry.dependents) if (--next.unmet === 0) insertReady(next);
          }
        },
        (error: unknown) => fail(error),
      )
      .finally(() => {
        running--;
        for (const e of batch) claim(e.task, -1);
        idle.push(worker);
        pump();
      });
  };

  const onAbort = () => {
    fail(options.signal?.reason);
    if (running === 0) settle();
  };
  if (options.signal?.aborted) throw options.signal.reason;
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    pump();
    await finished;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.error;
}

/**
 * The order in which tasks start when nothing else holds them back: highest
 * `priority` first, then biggest `size`, then list order. For showing a plan
 * in the order it will run.
 */
export function inStartOrder<T extends { priority?: number; size?: number }>(tasks: readonly T[]): T[] {
  return tasks
    .map((task, index) => ({ task, index }))
    .sort(
      (a, b) =>
        (b.task.priority ?? 0) - (a.task.priority ?? 0) ||
        (b.task.size ?? 0) - (a.task.size ?? 0) ||
        a.index - b.index,
    )
    .map(({ task }) => task);
}

/**
 * `fn` over `items` with at most `limit` calls in flight, results in the
 * order of `items`; the first failure stops new calls and is thrown once the
 * started ones settled.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  await runSchedule(
    items.map((item, i) => ({
      id: String(i),
      run: async (_slot: number, signal: AbortSignal) => {
        out[i] = await fn(item, signal);
      },
    })),
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, (_, i) => i),
  );
  return out;
}
