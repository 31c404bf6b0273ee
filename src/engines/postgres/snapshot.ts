import { StowageError } from '../../errors.js';
import type { PgSession } from './connect.js';
import { qualify } from './ident.js';

/**
 * One point in time for the whole backup. The leader opens a REPEATABLE READ,
 * READ ONLY transaction and exports its snapshot; every worker opens the same
 * kind of transaction and imports it, so all tables are read as of the same
 * instant however many connections share the work (pg_dump -j does the same).
 */

/**
 * Starts the leader's transaction and returns the exported snapshot id
 * (undefined on PGlite, which has one backend). With `imported` (a snapshot
 * exported elsewhere, such as a replication slot's) the leader joins that one
 * and the workers share it too.
 */
export async function beginSnapshot(
  leader: PgSession,
  exportable: boolean,
  imported?: string,
): Promise<string | undefined> {
  if (imported) {
    await joinSnapshot(leader, imported);
    return imported;
  }
  const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY';
  if (!exportable) {
    await leader.query(begin, undefined, 'starting the backup transaction');
    return undefined;
  }
  // One message, one round trip (as joinSnapshot's): the export runs in the transaction BEGIN opened.
  const results = (await leader.query(
    `${begin}; SELECT pg_catalog.pg_export_snapshot() AS id`,
    undefined,
    'starting the backup transaction and exporting its snapshot',
  )) as unknown as { rows: { id?: string }[] }[];
  return results[results.length - 1]?.rows[0]?.id;
}

/** Makes a worker see exactly what the leader sees. */
export async function joinSnapshot(worker: PgSession, snapshot: string): Promise<void> {
  // The id comes from the server and is [0-9A-F-]; checked anyway since it goes into SQL text.
  if (!/^[0-9A-Fa-f-]+$/.test(snapshot))
    throw new StowageError('pg-error', `unexpected snapshot id ${snapshot}`);
  await worker.query(
    `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT '${snapshot}'`,
    undefined,
    'joining the backup snapshot',
  );
}

/**
 * Takes ACCESS SHARE locks on the tables being backed up, early, like pg_dump:
 * a concurrent DROP or ALTER then waits for the backup instead of pulling a
 * table out from under it. A table dropped between listing and locking fails
 * here with a clear message.
 */
export async function lockRelations(
  leader: PgSession,
  relations: { schema: string; name: string; relkind: string }[],
): Promise<void> {
  const lockable = relations.filter((r) => r.relkind === 'r' || r.relkind === 'p');
  for (let i = 0; i < lockable.length; i += 500) {
    const batch = lockable.slice(i, i + 500);
    try {
      await leader.client.query(
        `LOCK TABLE ${batch.map((r) => `ONLY ${qualify(r.schema, r.name)}`).join(', ')} IN ACCESS SHARE MODE`,
      );
    } catch (err) {
      const code = (err as { code?: string }).code;
      const message = (err as Error).message ?? String(err);
      if (code === '42P01') {
        throw new StowageError(
          'pg-table-dropped',
          `a table was dropped while the backup was starting: ${message}`,
          'run the backup again',
          { cause: err },
        );
      }
      if (code === '55P03') {
        throw new StowageError(
          'pg-lock-timeout',
          `could not lock the tables to back up within the lock timeout: ${message}`,
          'another session holds an exclusive lock (ALTER, VACUUM FULL, ...); retry later or raise --lock-timeout',
          { cause: err },
        );
      }
      throw leader.translate(err, 'locking the tables to back up');
    }
  }
}
