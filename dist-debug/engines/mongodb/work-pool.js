/**
 * Runs tasks with at most `limit` in flight. The first failure stops new
 * tasks from starting (running ones finish or fail on their own) and is the
 * error thrown; later failures are dropped since the first one is what the
 * user needs to see.
 */
export async function runPool(items, limit, task) {
    let next = 0;
    let failure;
    const worker = async () => {
        while (!failure && next < items.length) {
            const item = items[next++];
            try {
                await task(item);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    if (failure)
        throw failure.error;
}
/** A counting semaphore, for bounding work that is not a fixed list (e.g. in-flight insert batches). */
export class Semaphore {
    available;
    waiters = [];
    constructor(permits) {
        this.available = Math.max(1, permits);
    }
    async acquire() {
        if (this.available > 0) {
            this.available--;
            return;
        }
        await new Promise((resolve) => this.waiters.push(resolve));
    }
    release() {
        const waiter = this.waiters.shift();
        if (waiter)
            waiter();
        else
            this.available++;
    }
}
//# sourceMappingURL=work-pool.js.map