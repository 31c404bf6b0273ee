import type { EngineRestoreRequest, EngineRestoreResult } from '../engine.js';
import type { PostgresRestoreOptions } from './options.js';
/**
 * Restores a backup: pre-data in dependency order, then table data on `jobs`
 * connections (biggest tables first), sequence values, then post-data with
 * index and constraint builds in parallel, ownership last when asked.
 */
export declare function restorePostgres(request: EngineRestoreRequest<PostgresRestoreOptions>): Promise<EngineRestoreResult>;
