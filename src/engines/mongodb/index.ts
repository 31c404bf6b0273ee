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
  // Inserts, not reading, set a restore's pace (frames decode far faster than
  // any server stores documents), so one frame ahead per stream is enough; more
  // is only memory (2 MiB a frame, times the streams open at once).
  restoreReadAhead: 1,
  unitOfStream: namespaceOfStream,
  describeContents: describeMongoContents,
  backup: backupMongo,
  restore: restoreMongo,
  follow: mongoFollow,
};

export type { MongoBackupOptions, MongoRestoreOptions } from './options.js';
export { DocumentsRejectedError, MongoRestoreError } from './restore.js';
export type { MongoSchema } from './schema.js';
