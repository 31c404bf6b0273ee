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
    locks?: {
        key: string;
        mode: LockMode;
    }[];
    run(worker: W): Promise<void>;
}
export declare function runTasks<W>(tasks: Task<W>[], workers: W[], options?: {
    onFailure?: (error: unknown) => void;
    signal?: AbortSignal;
}): Promise<void>;
