import type { EnginePlugin } from '../plugin.js';
import { postgresFlags } from './cli-flags.js';
import { isKeywordConnString, parseConnInfo } from './conninfo.js';
import { CopyRowSplitter } from './copy-items.js';
import { POSTGRES_BACKUP_OPTION_KEYS, POSTGRES_RESTORE_OPTION_KEYS } from './options.js';
import { postgresProbes } from './probes.js';
import { postgresScratchPlan } from './scratch-plan.js';

export type { PostgresSchema } from './model.js';
export type { PostgresBackupOptions, PostgresRestoreOptions } from './options.js';

/**
 * The PostgreSQL engine as the registry knows it: pure-driver (`pg` alone)
 * backup and restore, loaded on first use (engine.ts).
 */
export const postgres: EnginePlugin<'postgres'> = {
  name: 'postgres',
  label: 'PostgreSQL',
  schemes: ['postgres', 'postgresql'],
  claimsUrl: isKeywordConnString,
  otherUrlForms: 'PostgreSQL key=value pairs ("host=db dbname=shop")',
  urlExample: 'postgres://',
  defaultPort: 5432,
  nouns: { unit: ['table', 'tables'], item: ['row', 'rows'] },
  // COPY data: level 1 is about twice as fast as 3 and barely larger, so a backup keeps
  // pace with the COPY itself (docs/BENCHMARKS.md, "Design measurements").
  defaultCompression: 1,
  // COPY FROM, not reading, sets a restore's pace: two frames ahead per stream keep the
  // server fed (docs/BENCHMARKS.md, "Design measurements") and save 4 MiB per open stream
  // over the reader's default of 4.
  restoreReadAhead: 2,
  databaseOfUrl: (url) => parseConnInfo(url).database,
  flags: postgresFlags,
  optionKeys: { backup: POSTGRES_BACKUP_OPTION_KEYS, restore: POSTGRES_RESTORE_OPTION_KEYS },
  probes: postgresProbes,
  scratchPlan: postgresScratchPlan,
  itemSplitter: (onItem) => new CopyRowSplitter(onItem),
  load: async () => (await import('./engine.js')).postgresEngine,
  continuous: {
    positionFlag: '--until-lsn',
    serverState: async (url) =>
      (await (await import('./follow/slots.js')).listStowageSlots(url)).map(({ confirmedLsn, ...slot }) => ({
        ...slot,
        confirmedPosition: confirmedLsn,
      })),
  },
};
