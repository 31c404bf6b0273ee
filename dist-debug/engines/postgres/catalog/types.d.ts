import { type CatalogContext, type CatalogObject } from './context.js';
/**
 * User-defined types: enums, composite types, range types (with their
 * multirange), and domains with their constraints. Base types need C
 * functions and are reported, not backed up.
 */
export declare function readTypes(ctx: CatalogContext): Promise<CatalogObject[]>;
