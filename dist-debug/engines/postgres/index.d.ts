import type { Engine } from '../engine.js';
import type { PostgresBackupOptions, PostgresRestoreOptions } from './options.js';
export type { PostgresSchema } from './model.js';
export type { PostgresBackupOptions, PostgresRestoreOptions } from './options.js';
/**
 * The PostgreSQL engine: pure-driver (`pg` alone) backup and
 * restore. See backup.ts and restore.ts for the flow.
 */
export declare const postgresEngine: Engine<PostgresBackupOptions, PostgresRestoreOptions>;
