import type { PgObject } from './model.js';
export interface OrderResult<T extends PgObject> {
    ordered: T[];
    /** Objects caught in a dependency cycle, emitted in kind order; restore may fail on them. */
    cycles: string[];
}
export declare function orderObjects<T extends PgObject>(objects: T[]): OrderResult<T>;
