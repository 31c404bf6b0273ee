import type { NameFilter } from '../patterns.js';
import { type CatalogContext } from './context.js';
/** A relation considered for backup. */
export interface RelationInfo {
    oid: string;
    schema: string;
    name: string;
    relkind: string;
    /** For partitions: the partitioned tables above, nearest first. */
    ancestors: {
        schema: string;
        name: string;
    }[];
}
/**
 * Lists the tables, views, materialized views and sequences in the selected
 * schemas and applies the table filter: a partition follows its partitioned
 * ancestors, and a sequence owned by a column follows its table.
 */
export declare function selectRelations(ctx: CatalogContext, filter: NameFilter): Promise<RelationInfo[]>;
