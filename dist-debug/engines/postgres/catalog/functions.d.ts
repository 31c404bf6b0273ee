import { type CatalogContext, type CatalogObject } from './context.js';
/**
 * Functions, procedures and aggregates. Functions and procedures come from
 * `pg_get_functiondef()`; aggregates have no such helper and are rebuilt from
 * `pg_aggregate`. Routines that exist only as part of another object (a range
 * type's constructors) are left to that object.
 */
export declare function readRoutines(ctx: CatalogContext): Promise<CatalogObject[]>;
