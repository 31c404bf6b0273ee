import { type CatalogContext, type CatalogObject } from './context.js';
/**
 * Primary key, unique, exclusion and foreign key constraints, all post-data:
 * indexes are built once the data is in, and foreign keys come after the keys
 * they reference, so self-referencing and circular foreign keys just work.
 *
 * On partitioned tables the parent's key is added to the parent alone and each
 * partition's key is attached to it; foreign keys that partitions inherited
 * are created by their parent's and skipped here.
 */
export declare function readConstraints(ctx: CatalogContext): Promise<CatalogObject[]>;
