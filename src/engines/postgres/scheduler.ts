import type { LockMode } from './model.js';

/**
 * Runs tasks on a fixed set of workers (one database session each).
 *
 * Tasks are taken in the order given (callers put the biggest or most
 * urgent first), but a task waits until every task it depends on has
 * finished, and until no running task holds a conflicting lock on a table it
 * touches: two `share` tasks (CREATE INDEX) may run on one table together,
 * anything else runs alone there. That keeps parallel post-data free of lock
 * waits and deadlocks (two foreign keys between the same pair of tables, say).
 *
 * On the first failure no new task starts, `onFailure` is called (to cancel
 * what is running), and the first error is thrown once all workers stopped.
 */
export interface Task<W> {
  id: string;
  /** Ids of tasks that must finish first; ids not in the list count as done. */
  deps?: string[];
  locks?: { key: string; mode: LockMode }[];
  run(worker: W): Promise<void>;
}

export async function runTasks<W>(
  tasks: Task<W>[],
  workers: W[],
  options: { onFailure?: (error: unknown) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const ids = new Set(tasks.map((t) => t.id));
  const done = new Set<string>();
  const pending = [...tasks];
  const held = new Map<string, { mode: LockMode; count: number }>();
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let running = 0;

  const ready = (t: Task<W>) =>
    (t.deps ?? []).every((d) => done.has(d) || !ids.has(d)) &&
    (t.locks ?? []).every((l) => {
      const h = held.get(l.key);
      return !h || (h.mode === 'share' && l.mode === 'share');
    });

  const take = (): Task<W> | undefined => {
    const i = pending.findIndex(ready);
    if (i < 0) return undefined;
    const [task] = pending.splice(i, 1);
    for (const l of task?.locks ?? []) {
      const h = held.get(l.key);
      if (h) h.count++;
      else held.set(l.key, { mode: l.mode, count: 1 });
    }
    return task;
  };

  const release = (task: Task<W>) => {
    for (const l of task.locks ?? []) {
      const h = held.get(l.key);
      if (h && --h.count === 0) held.delete(l.key);
    }
    done.add(task.id);
    const w = wake;
    wake = undefined;
    w?.();
  };

  const worker = async (w: W) => {
    while (!failure && pending.length) {
      if (options.signal?.aborted) {
        failure ??= { error: options.signal.reason };
        break;
      }
      const task = take();
      if (!task) {
        if (running === 0) {
          failure ??= {
            error: new Error(`tasks cannot start (dependency cycle): ${pending.map((t) => t.id).join(', ')}`),
          };
          break;
        }
        // Wait for a running task to finish, then look again.
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      running++;
      try {
        await task.run(w);
      } catch (error) {
        if (!failure) {
          failure = { error };
          options.onFailure?.(error);
        }
      } finally {
        running--;
        release(task);
      }
    }
    // Let idle workers notice the end.
    const w2 = wake;
    wake = undefined;
    w2?.();
  };

  await Promise.all(workers.map(worker));
  if (failure) throw failure.error;
}
