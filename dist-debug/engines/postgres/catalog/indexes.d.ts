import { type CatalogContext, type CatalogObject } from './context.js';
/**
 * Indexes that are not part of a constraint (constraints.ts builds those):
 * `pg_get_indexdef()` gives partial, expression, covering and unique indexes
 * whole. An index on a partition that belongs to an index on its parent is
 * created on the partition and attached, as pg_dump does, so names survive.
 */
/**
 * Attaching a partition's index (or key) to its parent's is a separate step
 * from building it, so partitions' indexes can build in parallel while the
 * attaches, which lock up the partition tree, take turns. Its dependencies
 * (the built index, the parent index) come from pg_depend, see depend.ts.
 */
export declare function attachObject(builtId: string, schema: string, indexName: string, table: string, parentIndex: string): CatalogObject;
export declare function readIndexes(ctx: CatalogContext): Promise<CatalogObject[]>;
