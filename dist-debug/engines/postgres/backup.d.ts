import type { EngineBackupRequest, EngineBackupResult } from '../engine.js';
import type { PostgresBackupOptions } from './options.js';
/**
 * Backs up one database: schema from the catalogs, table data with binary COPY
 * on `jobs` connections sharing one exported snapshot, biggest tables first.
 */
export declare function backupPostgres(request: EngineBackupRequest<PostgresBackupOptions>): Promise<EngineBackupResult>;
