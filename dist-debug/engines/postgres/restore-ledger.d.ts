import { StowageError } from '../../errors.js';
/**
 * Keeps count of what a restore has applied, so a failure can say how far it
 * got (the target is left partly restored unless the restore ran in one
 * transaction).
 */
export declare class RestoreLedger {
    private readonly counts;
    /** True while everything runs in one transaction (a failure then applies nothing). */
    singleTransaction: boolean;
    plan(step: string, total: number, unit: string): void;
    tick(step: string): void;
    /** e.g. `pre-data 40/40 objects, data 3/12 tables, post-data 0/35 objects`. */
    describe(): string;
    /** Wraps a failure in an error whose message says what was already applied. */
    failure(err: unknown): StowageError;
}
