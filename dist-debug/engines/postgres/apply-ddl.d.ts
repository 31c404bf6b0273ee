import type { PgSession } from './connect.js';
import type { PgObject } from './model.js';
/**
 * Runs schema statements in order on one session.
 *
 * Round trips dominate a schema with thousands of objects, so consecutive
 * objects go to the server together as one multi-statement query. Outside a
 * transaction block the server runs such a query as one implicit transaction,
 * so a failing batch leaves nothing of itself behind; it is then replayed one
 * object at a time to name the object that fails, and everything before it is
 * kept. Inside an explicit transaction (single-transaction restore) there is
 * no replay, so objects are sent one by one.
 */
export interface ApplyOptions {
    /** Send objects in batches (only outside an explicit transaction). */
    batch: boolean;
    /** Which statements of each object to run. */
    statements: (object: PgObject) => string[];
    /** Called after each object is applied. */
    onApplied: (object: PgObject) => void;
    /** Describes the object for error messages. */
    describe: (object: PgObject) => string;
}
export declare function applyObjects(session: PgSession, objects: PgObject[], options: ApplyOptions): Promise<void>;
