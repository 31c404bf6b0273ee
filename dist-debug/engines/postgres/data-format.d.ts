import type { PgSession } from './connect.js';
/** Decides binary or text per column type; `unsafe(oid)` answers for one type. */
export declare class DataFormatOracle {
    private readonly nodes;
    private constructor();
    /** Reads the type graph reachable from the given column types. */
    static load(session: PgSession, version: number, typeOids: number[]): Promise<DataFormatOracle>;
    /** True when a column of this type must use text COPY. */
    needsText(oid: number, seen?: Set<number>): boolean;
}
