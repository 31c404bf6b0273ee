import { type CatalogContext, type CatalogObject } from './context.js';
/** Extended statistics objects (`CREATE STATISTICS`). */
export declare function readStatistics(ctx: CatalogContext): Promise<CatalogObject[]>;
