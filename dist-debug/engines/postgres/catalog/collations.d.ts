import { type CatalogContext, type CatalogObject } from './context.js';
/** User-defined collations (`CREATE COLLATION`), which columns may use. */
export declare function readCollations(ctx: CatalogContext): Promise<CatalogObject[]>;
