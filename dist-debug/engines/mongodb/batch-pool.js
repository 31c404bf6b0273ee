import { InsertBatch } from './insert-batch.js';
/**
 * The memory budget of a restore's insert batches, shared by every stream.
 *
 * Without a shared bound, memory grows with the product of settings: jobs ×
 * workers per collection × batch size, each batch also keeping alive the
 * archive frames its documents were cut from. Here a batch is taken from the
 * pool before it is filled and given back when its insert has finished, and
 * the bytes out at once (batches being filled, waiting for a connection, or
 * being inserted) never exceed the budget. A stream that finds the budget
 * spent waits, which stops it reading the archive: backpressure, not memory.
 *
 * Grants are first come, first served, so a large request (a document bigger
 * than a batch) cannot be starved by smaller ones. A request larger than the
 * whole budget is granted once nothing else is out, so it always goes through.
 */
export class BatchPool {
    batchBytes;
    budgetBytes;
    used = 0;
    idle = [];
    waiting = [];
    /**
     * @param batchBytes - capacity of one batch, in bytes of documents.
     * @param budgetBytes - bytes of batches out at once, over all streams (at least one batch).
     */
    constructor(batchBytes, budgetBytes) {
        this.batchBytes = batchBytes;
        this.budgetBytes = budgetBytes;
    }
    /**
     * A cleared batch that holds at least `minBytes` of documents (default: a
     * batch's capacity); waits while the budget is spent. Give it back with
     * {@link give}, whatever happens to the insert.
     */
    async take(minBytes = this.batchBytes) {
        const bytes = Math.max(minBytes, this.batchBytes);
        if (this.waiting.length > 0 || !this.fits(bytes)) {
            await new Promise((grant) => this.waiting.push({ bytes, grant }));
        }
        else {
            this.used += bytes;
        }
        if (bytes === this.batchBytes) {
            const batch = this.idle.pop();
            if (batch)
                return batch;
        }
        return new InsertBatch(bytes);
    }
    /** Returns a batch taken with {@link take}; its memory is reused for the next batch of its size. */
    give(batch) {
        batch.clear();
        this.used -= batch.capacity;
        // Oversized batches are one-offs: keeping them would hold a document's worth of memory for nothing.
        if (batch.capacity === this.batchBytes)
            this.idle.push(batch);
        while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) {
            const next = this.waiting.shift();
            this.used += next.bytes;
            next.grant();
        }
    }
    /** Bytes of batches currently out. */
    get bytesOut() {
        return this.used;
    }
    fits(bytes) {
        return this.used === 0 || this.used + bytes <= this.budgetBytes;
    }
}
//# sourceMappingURL=batch-pool.js.map