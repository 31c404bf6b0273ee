import { type CatalogContext, type CatalogObject } from './context.js';
/** Row-level security policies (enabling RLS itself is part of the table, see tables.ts). */
export declare function readPolicies(ctx: CatalogContext): Promise<CatalogObject[]>;
