import { StowageError } from '../../errors.js';
/**
 * Keeps count of what a restore has applied, so a failure can say how far it
 * got (the target is left partly restored unless the restore ran in one
 * transaction).
 */
export class RestoreLedger {
    counts = new Map();
    /** True while everything runs in one transaction (a failure then applies nothing). */
    singleTransaction = false;
    plan(step, total, unit) {
        this.counts.set(step, { done: 0, total, unit });
    }
    tick(step) {
        const c = this.counts.get(step);
        if (c)
            c.done++;
    }
    /** e.g. `pre-data 40/40 objects, data 3/12 tables, post-data 0/35 objects`. */
    describe() {
        const parts = [...this.counts]
            .filter(([, c]) => c.total > 0)
            .map(([step, c]) => `${step} ${c.done}/${c.total} ${c.unit}`);
        return parts.length ? parts.join(', ') : 'nothing';
    }
    /** Wraps a failure in an error whose message says what was already applied. */
    failure(err) {
        const cause = err instanceof StowageError ? err : undefined;
        const message = err instanceof Error ? err.message : String(err);
        const applied = this.singleTransaction
            ? 'nothing was applied (the single transaction was rolled back)'
            : `already applied: ${this.describe()}`;
        return new StowageError(cause?.code ?? 'restore-failed', `restore failed: ${message}; ${applied}`, cause?.hint ??
            (this.singleTransaction
                ? 'fix the cause and run the restore again'
                : 'fix the cause, then restore again with --clean (or into a new database)'), { cause: err });
    }
}
//# sourceMappingURL=restore-ledger.js.map