import { type CatalogContext, type CatalogObject } from './context.js';
/** Schemas: `CREATE SCHEMA IF NOT EXISTS` (public usually exists already). */
export declare function readSchemas(ctx: CatalogContext): Promise<CatalogObject[]>;
/** Extensions other than plpgsql, with the schema they live in. */
export declare function readExtensions(ctx: CatalogContext): Promise<CatalogObject[]>;
