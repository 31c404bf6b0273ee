import { type CatalogContext, type CatalogObject } from './context.js';
/**
 * User triggers (and constraint triggers), with their enabled state. Triggers
 * that a partition inherited from its parent are created by the parent's.
 */
export declare function readTriggers(ctx: CatalogContext): Promise<CatalogObject[]>;
