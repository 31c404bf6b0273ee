import { StowageError } from '../../errors.js';
import { type PgSession, parseTarget } from './connect.js';
import { quoteIdent } from './ident.js';
import { openMaintenance } from './target-creation.js';

/**
 * Drops the database a failed `restore --create` created and had begun writing into (the restore's
 * caller decides, see `onWriteBegun` in engines/engine.ts): left, it would look restored. The
 * restore's own sessions are closed by then, but a backend whose client vanished (Ctrl-C, a
 * destroyed socket) may still be running its COPY, and DROP DATABASE refuses a database anyone is
 * connected to: PostgreSQL 13+ ends them with `WITH (FORCE)`; older servers get them terminated
 * first (the restore's role may end its own backends). Throws a one-line error saying what is left.
 */
export async function dropCreatedDatabase(url: string, signal?: AbortSignal): Promise<void> {
  const target = parseTarget(url);
  const name = target.database;
  const drop = `DROP DATABASE ${quoteIdent(name)}`;
  let admin: PgSession | undefined;
  try {
    admin = await openMaintenance(target, signal);
    if (!admin) throw new Error('neither the postgres nor the template1 database can be reached');
    const { rows } = await admin.queryWithin<{ num: string }>(
      DROP_ANSWER_MS,
      "SELECT pg_catalog.current_setting('server_version_num') AS num",
      [],
      'reading the server version',
    );
    if (Number(rows[0]?.num) >= 130_000) {
      await admin.queryWithin(DROP_ANSWER_MS, `${drop} WITH (FORCE)`, [], `dropping database "${name}"`);
    } else {
      await admin.queryWithin(
        DROP_ANSWER_MS,
        `SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
          WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()`,
        [name],
        `ending the sessions on database "${name}"`,
      );
      await admin.queryWithin(DROP_ANSWER_MS, drop, [], `dropping database "${name}"`);
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new StowageError(
      'restore-failed',
      `database "${name}", which this restore had created, could not be dropped (${why}): drop it with ${drop}`,
      undefined,
      { cause: err },
    );
  } finally {
    await admin?.close();
  }
}

/** How long each statement gets (DROP DATABASE removes the files of what was loaded). */
const DROP_ANSWER_MS = 30_000;
