import type { ScratchPlan } from '../plugin.js';
import { targetDatabase } from './probes.js';

/** A PostgreSQL test restore creates the scratch database and compares it table by table. */
export function postgresScratchPlan(scratch: string): ScratchPlan {
  targetDatabase(scratch); // a string libpq cannot read: a usage error before any work
  return {
    databases: [scratch],
    restoreUrl: scratch,
    // Rows are compared, not owners: a scratch server need not have the production roles
    // (as before owners and grants became the restore default).
    restoreOptions: { create: true, owner: false, acl: false },
    compareUrl: scratch,
    backupOptions: {},
    rename: (u) => u,
  };
}
