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
import { type TaskList, taskAt, WiredTasks } from './wired-tasks.js';

export type { TaskList } from './wired-tasks.js';

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

/**
 * Runs `tasks` on `workers` (at most one task per worker at a time) and
 * resolves when all have finished; rejects with the first failure once every
 * started task has settled. The schedule lets go of each task once it has
 * finished (and of an array of `tasks` itself at once): a caller that keeps
 * none of them lets them be collected as the run goes on. A {@link TaskList}
 * that is not an array is read at once to wire the tasks, then asked again for
 * each task as it starts: it may make its tasks on demand, so that no task
 * exists but those running. Tasks wired beforehand ({@link WiredSchedule}) run as they were wired.
 */
export function runSchedule<W>(
  tasks: readonly ScheduledTask<W>[] | TaskList<W> | WiredSchedule<W>,
  workers: readonly W[],
  options: ScheduleOptions<W> = {},
): Promise<void> {
  if (tasks.length === 0) return Promise.resolve();
  if (workers.length === 0) return Promise.reject(new Error('runSchedule needs at least one worker'));
  // Wired here, not in the async function that runs them: that keeps its arguments to its end.
  let wired: WiredTasks;
  if (tasks instanceof WiredSchedule) {
    if (tasks.batched !== !!options.runBatch)
      return Promise.reject(new Error('the schedule was wired for a run with a different runBatch'));
    wired = tasks.wired;
    tasks = tasks.tasks;
  } else {
    try {
      wired = new WiredTasks(tasks, !!options.runBatch);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  // An array's tasks are held here, each slot emptied as its task finishes; a list that is no
  // array makes them again when asked.
  const { taskOf, release } = Array.isArray(tasks) ? heldTasks(tasks) : listedTasks(tasks);
  return runWired(wired, taskOf, release, workers, options);
}

/**
 * Tasks wired for {@link runSchedule} ahead of their run. Wiring reads every task once: for a
 * list that makes its tasks when asked, that is a task object, an id and lock lists per task
 * of garbage, and a map of every id, all at once. Wired while there is time (a restore wires
 * its schedule while its pre-data runs), that garbage can be collected before the run starts
 * instead of under it (20,000 tables: ~16 MiB of RSS at the start of the data phase,
 * docs/BENCHMARKS.md, session 19).
 */
export class WiredSchedule<W> {
  /** @internal */
  readonly wired: WiredTasks;

  /**
   * Wires `tasks` (throws on two tasks with one id). `batched`: the run will be given a
   * {@link ScheduleOptions.runBatch} (runSchedule refuses a run that says otherwise).
   */
  constructor(
    readonly tasks: readonly ScheduledTask<W>[] | TaskList<W>,
    readonly batched: boolean,
  ) {
    this.wired = new WiredTasks(tasks, batched);
  }

  get length(): number {
    return this.wired.length;
  }
}

/** How the run gets a task to start, and lets go of it once finished. */
interface TaskSource<W> {
  taskOf: (index: number) => ScheduledTask<W>;
  release: (index: number) => void;
}

/**
 * An array's tasks, held in a copy whose slot is emptied as each finishes (a function of its
 * own: a closure made beside one that refers to the caller's array would keep that array, and
 * every task in it, to the end of the run).
 */
function heldTasks<W>(tasks: readonly ScheduledTask<W>[]): TaskSource<W> {
  const held: (ScheduledTask<W> | undefined)[] = tasks.slice();
  return {
    taskOf: (index) => taskAt(held, index),
    release: (index) => {
      held[index] = undefined;
    },
  };
}

/** A list that is no array: asked for each task as it starts (it may make them on demand). */
function listedTasks<W>(list: TaskList<W>): TaskSource<W> {
  return { taskOf: (index) => taskAt(list, index), release: () => {} };
}

/** Runs the wired tasks; `taskOf` gives a task to start, `release` says it finished. */
async function runWired<W>(
  wired: WiredTasks,
  taskOf: (index: number) => ScheduledTask<W>,
  release: (index: number) => void,
  workers: readonly W[],
  options: ScheduleOptions<W>,
): Promise<void> {
  const { rank, unmet, dependents, dependentsStart, batchOf, batchWeight } = wired;
  const { locksStart, lockKeyOf, lockExclusive, limitsStart, limitKeyOf } = wired;
  /** Tasks whose dependencies are done, lowest rank first, one heap per batch key (0 for none). */
  const ready = wired.batchKeys.map(() => new RankHeap<number>((i) => rank[i] as number));
  /** Total `batchWeight` of each batch key's ready tasks, to share them among idle workers. */
  const readyWeight = new Float64Array(wired.batchKeys.length);
  const insertReady = (i: number) => {
    const key = batchOf[i] as number;
    (ready[key] as RankHeap<number>).add(i);
    if (key) readyWeight[key] = (readyWeight[key] as number) + (batchWeight[i] as number);
  };
  for (let i = 0; i < wired.length; i++) if (unmet[i] === 0) insertReady(i);
  /** Running holders of each lock key, by mode. */
  const shareHeld = new Int32Array(wired.lockKeys.length);
  const exclusiveHeld = new Int32Array(wired.lockKeys.length);
  const inUse = new Int32Array(wired.limitKeys.length);
  const limit = wired.limitKeys.map((key) => Math.max(1, options.limitOf?.(key) ?? Number.POSITIVE_INFINITY));
  const idle = [...workers];
  const cancel = new AbortController();
  let left = wired.length;
  /** Finished tasks (a cycle's report names the others still waiting). */
  const done = new Uint8Array(wired.length);
  let running = 0;
  let failure: { error: unknown } | undefined;
  let settle!: () => void;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const canStart = (i: number) => {
    for (let l = locksStart[i] as number; l < (locksStart[i + 1] as number); l++) {
      const key = lockKeyOf[l] as number;
      if (exclusiveHeld[key] !== 0 || (lockExclusive[l] === 1 && shareHeld[key] !== 0)) return false;
    }
    for (let l = limitsStart[i] as number; l < (limitsStart[i + 1] as number); l++) {
      const key = limitKeyOf[l] as number;
      if ((inUse[key] as number) >= (limit[key] as number)) return false;
    }
    return true;
  };

  const claim = (i: number, sign: 1 | -1) => {
    for (let l = locksStart[i] as number; l < (locksStart[i + 1] as number); l++) {
      const held = lockExclusive[l] === 1 ? exclusiveHeld : shareHeld;
      const key = lockKeyOf[l] as number;
      held[key] = (held[key] as number) + sign;
    }
    for (let l = limitsStart[i] as number; l < (limitsStart[i + 1] as number); l++) {
      const key = limitKeyOf[l] as number;
      inUse[key] = (inUse[key] as number) + sign;
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
  const takeStartable = (heap: RankHeap<number>, count: number, weight?: { left: number }): number[] => {
    const taken: number[] = [];
    const passed: number[] = [];
    while (taken.length < count && heap.size > 0) {
      const i = heap.take() as number;
      const w = batchWeight[i] as number;
      if (canStart(i) && (!weight || w <= weight.left)) {
        if (weight) weight.left -= w;
        taken.push(i);
      } else passed.push(i);
    }
    for (const i of passed) heap.add(i);
    return taken;
  };

  /** The ready task to start next (lowest rank among those that can start), out of its heap. */
  const takeNext = (): number | undefined => {
    let best: { task: number; heap: RankHeap<number> } | undefined;
    for (const heap of ready) {
      if (heap.size === 0) continue;
      const [first] = takeStartable(heap, 1);
      if (first === undefined) continue;
      if (!best || (rank[first] as number) < (rank[best.task] as number)) {
        if (best) best.heap.add(best.task);
        best = { task: first, heap };
      } else heap.add(first);
    }
    return best?.task;
  };

  const pump = () => {
    /**
     * Workers given a batch of each key in this turn: they took their share of it. Every other
     * worker comes back for one: those busy when the turn began, and those this turn gives other
     * work (a view, say, which takes a millisecond while the batch takes eighty).
     */
    const servedThisTurn = new Map<number, number>();
    while (!failure && idle.length > 0) {
      const first = takeNext();
      if (first === undefined) break;
      const key = batchOf[first] as number;
      let more: number[] = [];
      if (key) {
        // The ready tasks of the key are shared among the workers idle now and those still busy, so
        // that a handful of small tables (or their indexes) load on every connection instead of all
        // on the first, and a worker that comes free first does not take every index build while
        // the other, free a moment later, finds none left.
        const heap = ready[key] as RankHeap<number>;
        const served = servedThisTurn.get(key) ?? 0;
        servedThisTurn.set(key, served + 1);
        const shares = workers.length - served;
        const own = batchWeight[first] as number;
        const count = Math.min(maxTasks, Math.ceil((heap.size + 1) / shares));
        const share = Math.max(own, Math.ceil((readyWeight[key] as number) / shares));
        more = takeStartable(heap, count - 1, { left: Math.min(maxWeight, share) - own });
      }
      const batch = [first, ...more];
      if (key)
        for (const i of batch) readyWeight[key] = (readyWeight[key] as number) - (batchWeight[i] as number);
      start(batch, idle.shift() as W);
    }
    if (running > 0) return;
    if (!failure && left > 0) {
      // Nothing runs and nothing can start: what is left waits on itself.
      const waiting: string[] = [];
      for (const i of wired.byRank) if (!done[i] && (unmet[i] as number) > 0) waiting.push(taskOf(i).id);
      fail(new ScheduleCycleError(waiting));
    }
    settle();
  };

  const start = (batch: number[], worker: W) => {
    running++;
    for (const i of batch) claim(i, 1);
    const tasks = batch.map(taskOf);
    // A task that throws before its first await rejects here too, never out of pump().
    Promise.resolve()
      .then(() =>
        tasks.length === 1
          ? (tasks[0] as ScheduledTask<W>).run(worker, cancel.signal)
          : options.runBatch?.(tasks, worker, cancel.signal),
      )
      .then(
        () => {
          for (const i of batch) {
            left--;
            done[i] = 1;
            release(i);
            for (let d = dependentsStart[i] as number; d < (dependentsStart[i + 1] as number); d++) {
              const next = dependents[d] as number;
              unmet[next] = (unmet[next] as number) - 1;
              if (unmet[next] === 0) insertReady(next);
            }
          }
        },
        (error: unknown) => fail(error),
      )
      .finally(() => {
        running--;
        for (const i of batch) claim(i, -1);
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
