import { type CatalogContext, type CatalogObject } from './context.js';
/** Rewrite rules other than the `_RETURN` rules that implement views. */
export declare function readRules(ctx: CatalogContext): Promise<CatalogObject[]>;
