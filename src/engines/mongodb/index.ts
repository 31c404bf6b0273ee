import type { EnginePlugin } from '../plugin.js';
import { BsonDocumentSplitter } from './bson-items.js';
import { mongodbFlags } from './cli-flags.js';
import { MONGO_BACKUP_OPTION_KEYS, MONGO_RESTORE_OPTION_KEYS } from './options.js';
import { mongodbProbes } from './probes.js';
import { mongodbScratchPlan } from './scratch-plan.js';
import { databaseFromUrl } from './url.js';

export type { MongoBackupOptions, MongoRestoreOptions } from './options.js';
export type { MongoSchema } from './schema.js';

/**
 * The MongoDB engine as the registry knows it: raw-BSON backup and restore
 * through the `mongodb` driver alone, loaded on first use (engine.ts).
 */
export const mongodb: EnginePlugin<'mongodb'> = {
  name: 'mongodb',
  label: 'MongoDB',
  schemes: ['mongodb', 'mongodb+srv'],
  // SRV records name a cluster elsewhere by definition.
  remoteSchemes: ['mongodb+srv'],
  urlExample: 'mongodb://',
  defaultPort: 27017,
  nouns: { unit: ['collection', 'collections'], item: ['document', 'documents'] },
  // BSON: lower levels leave the archive larger than `mongodump --gzip`; 6 is the first
  // below it (docs/BENCHMARKS.md, "Design measurements").
  defaultCompression: 6,
  // Inserts, not reading, set a restore's pace (frames decode far faster than
  // any server stores documents), so one frame ahead per stream is enough; more
  // is only memory (2 MiB a frame, times the streams open at once).
  restoreReadAhead: 1,
  databaseOfUrl: databaseFromUrl,
  flags: mongodbFlags,
  optionKeys: { backup: MONGO_BACKUP_OPTION_KEYS, restore: MONGO_RESTORE_OPTION_KEYS },
  probes: mongodbProbes,
  scratchPlan: mongodbScratchPlan,
  itemSplitter: (onItem) => new BsonDocumentSplitter(onItem),
  load: async () => (await import('./engine.js')).mongodbEngine,
  // The oplog is the server's own history: a chain keeps no state there.
  continuous: { positionFlag: '--until-ts' },
};
