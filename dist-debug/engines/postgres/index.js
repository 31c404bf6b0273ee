import { backupPostgres } from './backup.js';
import { restorePostgres } from './restore.js';
import { tableOfStream } from './table-parts.js';
/**
 * The PostgreSQL engine: pure-driver (`pg` alone) backup and
 * restore. See backup.ts and restore.ts for the flow.
 */
export const postgresEngine = {
    name: 'postgres',
    // COPY FROM, not reading, sets a restore's pace: two frames ahead per stream keep the
    // server fed (measured on the issue-3 dataset) and save 4 MiB per open stream over the
    // reader's default of 4.
    restoreReadAhead: 2,
    unitOfStream: tableOfStream,
    backup: backupPostgres,
    restore: restorePostgres,
};
//# sourceMappingURL=index.js.map