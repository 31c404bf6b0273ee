import { type CatalogContext, type CatalogObject } from './context.js';
/**
 * Views and materialized views. A materialized view is created empty (WITH NO
 * DATA) in pre-data and refreshed at the very end of post-data, when every
 * table it reads is loaded; one that was never populated stays unpopulated.
 */
export declare function readViews(ctx: CatalogContext): Promise<CatalogObject[]>;
