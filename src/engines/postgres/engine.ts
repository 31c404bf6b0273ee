import type { Engine } from '../engine.js';
import { backupPostgres } from './backup.js';
import { describePostgresContents, postgresSchemaSql } from './contents.js';
import { dropCreatedDatabase } from './drop-created-database.js';
import { postgresFollow } from './follow/index.js';
import { packFooterObjects } from './footer-objects.js';
import type { PostgresBackupOptions, PostgresRestoreOptions } from './options.js';
import { printableSchema } from './printable-schema.js';
import { restorePostgres, startRestorePostgres } from './restore.js';
import { tableOfStream } from './table-parts.js';
import { postgresTemplateCache } from './template-cache.js';

export type { PostgresSchema } from './model.js';
export type { PostgresBackupOptions, PostgresRestoreOptions } from './options.js';

/**
 * The PostgreSQL engine: pure-driver (`pg` alone) backup and
 * restore. See backup.ts and restore.ts for the flow.
 */
export const postgresEngine: Engine<PostgresBackupOptions, PostgresRestoreOptions> = {
  name: 'postgres',
  unitOfStream: tableOfStream,
  printableSchema,
  describeContents: describePostgresContents,
  schemaSql: postgresSchemaSql,
  backup: backupPostgres,
  restore: restorePostgres,
  restoreFooterItems: packFooterObjects,
  startRestore: startRestorePostgres,
  dropCreatedTarget: dropCreatedDatabase,
  follow: postgresFollow,
  templateCache: postgresTemplateCache,
};
