import type { EngineBackupRequest, EngineBackupResult } from '../engine.js';
import type { MongoBackupOptions } from './options.js';
export declare function backupMongo(request: EngineBackupRequest<MongoBackupOptions>): Promise<EngineBackupResult>;
