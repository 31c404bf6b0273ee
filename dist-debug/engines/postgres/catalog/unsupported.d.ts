import type { CatalogContext } from './context.js';
/**
 * Object kinds Stowage does not back up. Rather than drop them silently, the
 * backup counts them and reports each kind present as a warning.
 */
export declare function reportUnsupported(ctx: CatalogContext): Promise<void>;
