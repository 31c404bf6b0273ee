import type { PgObject } from '../model.js';
import type { NameFilter } from '../patterns.js';
import { type CatalogContext } from './context.js';
import { type SequencesRead } from './sequences.js';
import { type TablesRead } from './tables.js';
/** Names of the user schemas the filter selects (extension-owned schemas excluded). */
export declare function listSchemas(ctx: Pick<CatalogContext, 'session'>, filter: NameFilter): Promise<string[]>;
export interface CatalogRead {
    /** Dependency-ordered objects, pre-data then post-data. */
    objects: PgObject[];
    tables: TablesRead['data'];
    sequences: SequencesRead['all'];
}
/**
 * Reads every supported object in the selected schemas and relations and
 * returns them in restore order. Runs in the backup's snapshot transaction,
 * after the selected tables are locked.
 */
export declare function readCatalog(ctx: CatalogContext): Promise<CatalogRead>;
