import type { Engine } from '../engine.js';
import type { MongoBackupOptions, MongoRestoreOptions } from './options.js';
/**
 * The MongoDB engine: raw-BSON backup and restore through the `mongodb`
 * driver alone (no mongodump/mongorestore). Loaded lazily by the engine
 * registry for `mongodb://` and `mongodb+srv://` URLs.
 */
export declare const mongodbEngine: Engine<MongoBackupOptions, MongoRestoreOptions>;
export type { MongoBackupOptions, MongoRestoreOptions } from './options.js';
export { DocumentsRejectedError, MongoRestoreError } from './restore.js';
export type { MongoSchema } from './schema.js';
