import type { PgTableData } from '../model.js';
import { type CatalogContext, type CatalogObject } from './context.js';
import { type SequencesRead } from './sequences.js';
export interface TablesRead {
    objects: CatalogObject[];
    data: (PgTableData & {
        oid: string;
    })[];
}
/**
 * Tables: CREATE TABLE with columns, types, collations, NOT NULL, identity and
 * generated columns, valid CHECK constraints, partitioning, inheritance,
 * UNLOGGED, access method and storage parameters; column defaults as separate
 * objects (so a default that calls a function can come after the function,
 * even when the function's signature uses the table's row type); NOT VALID
 * checks and row security in post-data.
 */
export declare function readTables(ctx: CatalogContext, sequences: SequencesRead): Promise<TablesRead>;
