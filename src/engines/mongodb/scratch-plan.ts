import { UsageError } from '../../errors.js';
import type { ScratchPlan } from '../plugin.js';
import { databaseFromUrl } from './url.js';

/** The URL with its path set to `database` (empty: none), options kept. */
function withDatabase(url: string, database: string): string {
  return url.replace(
    /^(mongodb(?:\+srv)?:\/\/[^/]*\/)[^?]*/,
    `$1${database && encodeURIComponent(database)}`,
  );
}

/**
 * A MongoDB test restore maps each archived database into the scratch
 * database the URL names: one archived database restores into it, several
 * into `<scratch>_<db>` each. `dataStreams` are the archive's data streams.
 */
export function mongodbScratchPlan(scratch: string, dataStreams: string[]): ScratchPlan {
  const base = databaseFromUrl(scratch);
  if (!base)
    throw new UsageError(
      '--restore-test needs a MongoDB URL that names the scratch database, e.g. mongodb://host/stowage_scratch',
    );
  // Users and roles (admin) are not restored into a scratch database.
  const archived = [...new Set(dataStreams.map((s) => s.slice(0, s.indexOf('.'))))].filter(
    (db) => db.length > 0 && db !== 'admin',
  );
  const single = archived.length <= 1;
  const scratchName = (db: string) => (single ? base : `${base}_${db}`);
  const noDb = withDatabase(scratch, '');
  return {
    databases: archived.length ? archived.map((db) => withDatabase(scratch, scratchName(db))) : [scratch],
    restoreUrl: single ? scratch : noDb,
    restoreOptions: single
      ? { include: archived.map((db) => `${db}.*`), oplogReplay: false }
      : {
          nsFrom: archived.map((db) => `${db}.*`),
          nsTo: archived.map((db) => `${scratchName(db)}.*`),
          include: archived.map((db) => `${db}.*`),
          oplogReplay: false,
        },
    compareUrl: noDb,
    backupOptions: { databases: archived.map(scratchName), oplog: false },
    rename: (unit) => {
      const dot = unit.indexOf('.');
      return dot < 0 ? unit : `${scratchName(unit.slice(0, dot))}${unit.slice(dot)}`;
    },
  };
}
