import type { Engine } from '../engine.js';
import { backupMongo } from './backup.js';
import { describeMongoContents } from './contents.js';
import { mongoFollow } from './follow.js';
import type { MongoBackupOptions, MongoRestoreOptions } from './options.js';
import { restoreMongo } from './restore.js';
import { namespaceOfStream } from './stream-names.js';

/**
 * The MongoDB engine: raw-BSON backup and restore through the `mongodb`
 * driver alone (no mongodump/mongorestore). Loaded lazily by the engine
 * registry for `mongodb://` and `mongodb+srv://` URLs.
 */
export const mongodbEngine: Engine<MongoBackupOptions, MongoRestoreOptions> = {
  name: 'mongodb',
  unitOfStream: namespaceOfStream,
  describeContents: describeMongoContents,
  backup: backupMongo,
  restore: restoreMongo,
  follow: mongoFollow,
};

export type { MongoBackupOptions, MongoRestoreOptions } from './options.js';
export { DocumentsRejectedError, MongoRestoreError } from './restore.js';
export type { MongoSchema } from './schema.js';
