/**
 * The one scheduler of the engines: runs a graph of tasks on a fixed set of
 * workers (a database session each, or just slot numbers).
 *
 * A task starts once every task it depends on has finished, no running task
 * holds a conflicting lock on a key it names (two `share` holders may run
 * together, an `exclusive` one runs alone), and each per-key limit it counts
 * against has room. Among the tasks that could start, the one of highest
 * `priority` goes first, then the biggest (`size`), then the earliest listed:
 * the longest work starts at once and the small tasks fill in around it.
 *
 * The first failure (a task's error, or the caller's signal) stops new tasks
 * from starting, aborts the signal the running tasks were given, calls
 * `onFailure` (to cancel what a signal cannot reach, e.g. a running query),
 * and is thrown once every started task has settled, so no task outlives the
 * call and no rejection is lost.
 */

/** How a task holds a lock key: `share` holders run side by side, `exclusive` alone. */
export type LockMode = 'share' | 'exclusive';

export interface ScheduledTask<W> {
  /** Unique among the tasks of one run. */
  id: string;
  /** Ids of tasks that must finish first; ids not among the tasks count as done. */
  deps?: readonly string[];
  locks?: readonly { key: string; mode: LockMode }[];
  /** Keys of per-key concurrency limits ({@link ScheduleOptions.limitOf}) the task counts against while it runs. */
  limits?: readonly string[];
  /** Ahead of every ready task of lower priority, whatever its size (default 0). */
  priority?: number;
  /** Among ready tasks of one priority, the biggest starts first (default 0). */
  size?: number;
  /** The work. `signal` aborts when another task failed or the run was cancelled. */
  run(worker: W, signal: AbortSignal): Promise<void>;
}

export interface ScheduleOptions {
  /** Cancels the run: nothing new starts, and the reason is thrown once the running tasks settled. */
  signal?: AbortSignal;
  /** Tasks counting against `key` that may run at once (at least 1); undefined: no limit. */
  limitOf?: (key: string) => number | undefined;
  /** Called once, at the first failure, while tasks may still be running. */
  onFailure?: (error: unknown) => void;
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
 * started task has settled.
 */
export async function runSchedule<W>(
  tasks: readonly ScheduledTask<W>[],
  workers: readonly W[],
  options: ScheduleOptions = {},
): Promise<void> {
  if (tasks.length === 0) return;
  if (workers.length === 0) throw new Error('runSchedule needs at least one worker');
  const entries = new Map<string, Entry<W>>();
  inStartOrder(tasks).forEach((task, rank) => {
    if (entries.has(task.id)) throw new Error(`two tasks have the id "${task.id}"`);
    entries.set(task.id, { task, rank, unmet: 0, dependents: [] });
  });
  for (const entry of entries.values()) {
    for (const dep of new Set(entry.task.deps ?? [])) {
      const before = entries.get(dep);
      if (!before || before === entry) continue;
      before.dependents.push(entry);
      entry.unmet++;
    }
  }

  /** Tasks whose dependencies are done, in rank order. */
  const ready: Entry<W>[] = [...entries.values()]
    .filter((e) => e.unmet === 0)
    .sort((a, b) => a.rank - b.rank);
  const held = new Map<string, { mode: LockMode; count: number }>();
  const inUse = new Map<string, number>();
  const idle = [...workers];
  const limitOf = (key: string) => Math.max(1, options.limitOf?.(key) ?? Number.POSITIVE_INFINITY);
  const cancel = new AbortController();
  let left = entries.size;
  let running = 0;
  let failure: { error: unknown } | undefined;
  let settle!: () => void;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const canStart = (task: ScheduledTask<W>) =>
    (task.locks ?? []).every((l) => {
      const h = held.get(l.key);
      return !h || (h.mode === 'share' && l.mode === 'share');
    }) && (task.limits ?? []).every((key) => (inUse.get(key) ?? 0) < limitOf(key));

  const claim = (task: ScheduledTask<W>, sign: 1 | -1) => {
    for (const l of task.locks ?? []) {
      const h = held.get(l.key);
      if (sign > 0) {
        if (h) h.count++;
        else held.set(l.key, { mode: l.mode, count: 1 });
      } else if (h && --h.count === 0) held.delete(l.key);
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

  const insertReady = (entry: Entry<W>) => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ready[mid] as Entry<W>).rank < entry.rank) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, entry);
  };

  const pump = () => {
    while (!failure && idle.length > 0) {
      const i = ready.findIndex((e) => canStart(e.task));
      if (i < 0) break;
      const [entry] = ready.splice(i, 1) as [Entry<W>];
      start(entry, idle.shift() as W);
    }
    if (running > 0) return;
    if (!failure && left > 0) {
      // Nothing runs and nothing can start: what is left waits on itself.
      const waiting = [...entries.values()].filter((e) => e.unmet > 0);
      fail(new ScheduleCycleError(waiting.map((e) => e.task.id)));
    }
    settle();
  };

  const start = (entry: Entry<W>, worker: W) => {
    running++;
    claim(entry.task, 1);
    // A task that throws before its first await rejects here too, never out of pump().
    Promise.resolve()
      .then(() => entry.task.run(worker, cancel.signal))
      .then(
        () => {
          left--;
          for (const next of entry.dependents) if (--next.unmet === 0) insertReady(next);
        },
        (error: unknown) => fail(error),
      )
      .finally(() => {
        running--;
        claim(entry.task, -1);
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
