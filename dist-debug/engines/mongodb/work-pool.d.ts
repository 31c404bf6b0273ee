/**
 * Runs tasks with at most `limit` in flight. The first failure stops new
 * tasks from starting (running ones finish or fail on their own) and is the
 * error thrown; later failures are dropped since the first one is what the
 * user needs to see.
 */
export declare function runPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void>;
/** A counting semaphore, for bounding work that is not a fixed list (e.g. in-flight insert batches). */
export declare class Semaphore {
    private available;
    private readonly waiters;
    constructor(permits: number);
    acquire(): Promise<void>;
    release(): void;
}
