import { type CatalogContext, type CatalogObject } from './context.js';
/**
 * Turns `pg_depend` into dependencies between the objects the readers made.
 *
 * Each object lists the catalog rows it stands for (its keys). Rows that no
 * reader claimed are attached through internal and extension dependencies: an
 * array type to its element type, a view's `_RETURN` rule to the view, an
 * identity sequence to its table, an extension's types to the extension. Then
 * every normal/auto/partition dependency between two different objects becomes
 * an edge.
 *
 * Objects that depend on a user relation left out of the backup (a view over
 * an excluded table, a foreign key to one) cannot be restored and are dropped
 * here, with their dependents, and reported.
 */
export declare function resolveDependencies(ctx: CatalogContext, objects: CatalogObject[]): Promise<CatalogObject[]>;
