import { UsageError } from '../../../errors.js';
import type { EngineFollow } from '../../engine.js';
import { openPostgresFeed } from './feed.js';
import { compareLsn, formatLsn, isLsn, lsnValue } from './lsn.js';
import { preflightPostgresFollow } from './preflight.js';
import { replayPostgres } from './replay.js';

export { listStowageSlots, type StowageSlot } from './slots.js';

/**
 * Continuous backup of PostgreSQL through logical decoding: a `pgoutput` slot
 * and a publication per chain, a base read from the slot's exported snapshot,
 * then every committed transaction of the followed tables (feed.ts), replayed
 * one database transaction each (replay.ts). Positions are commit-end LSNs.
 */
export const postgresFollow: EngineFollow = {
  open: openPostgresFeed,
  replay: replayPostgres,
  compare: compareLsn,
  parsePosition(text: string): string {
    if (!isLsn(text.trim()))
      throw new UsageError(
        `--until-lsn: not a PostgreSQL LSN: ${text}`,
        'give it as the server prints it, e.g. 16/B374D848 (SELECT pg_current_wal_lsn())',
      );
    return formatLsn(lsnValue(text));
  },
  preflight: preflightPostgresFollow,
};
