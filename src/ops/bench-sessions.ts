import { randomBytes } from 'node:crypto';
import { isKeywordConnString } from '../engines/postgres/conninfo.js';

/**
 * The PostgreSQL sessions of one `stowage bench` run, so that none outlives
 * it. When the budget runs out the engine drops its connections, but a
 * server process only notices a vanished client when it next writes to it:
 * one waiting on a lock, or scanning far for the next sampled row, keeps
 * running (and holding its snapshot and locks) for as long as that takes.
 * Each run therefore connects under its own `application_name`, and a cut
 * read cancels and then ends whatever is left under that name, as pg_dump's
 * own cancel request would.
 */
export interface BenchSessions {
  /** The source connection string, tagged with this run's application name. */
  readonly source: string;
  /** Stops the run's server processes still alive (their clients are gone); how many there were. */
  endLeftovers(signal?: AbortSignal): Promise<number>;
}

/** How long the leftover processes get to go after being told to. */
const LEFTOVER_WAIT_MS = 5000;

/** Tags `source` (URL or key=value) with a fresh application name; see {@link BenchSessions}. */
export function benchSessions(source: string): BenchSessions {
  const name = `stowage-bench-${randomBytes(6).toString('hex')}`;
  // Given twice, the last value wins in both forms (libpq's rule, and conninfo.ts's).
  const tagged = isKeywordConnString(source)
    ? `${source} application_name=${name}`
    : `${source}${source.includes('?') ? '&' : '?'}application_name=${name}`;
  return {
    source: tagged,
    endLeftovers: (signal) => endLeftovers(source, name, signal),
  };
}

/** The run's other server processes, each signalled with `signal` (a function of a pid) when given. */
const leftovers = (signal?: 'pg_cancel_backend' | 'pg_terminate_backend') =>
  `SELECT ${signal ? `pg_catalog.${signal}(pid)` : 'pid'} FROM pg_catalog.pg_stat_activity
    WHERE application_name = $1 AND pid <> pg_catalog.pg_backend_pid()`;

async function endLeftovers(source: string, name: string, signal?: AbortSignal): Promise<number> {
  const { PgSession, parseTarget } = await import('../engines/postgres/connect.js');
  const session = await PgSession.open(parseTarget(source), { mode: 'backup', signal });
  try {
    const found = (await session.query(leftovers('pg_cancel_backend'), [name])).rowCount ?? 0;
    // Cancelled, a process whose client is gone ends as it reports the cancel; one still there is ended.
    const deadline = Date.now() + LEFTOVER_WAIT_MS;
    const terminateAt = Date.now() + LEFTOVER_WAIT_MS / 10;
    let terminated = false;
    while (found > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!(await session.query(leftovers(), [name])).rowCount) break;
      if (!terminated && Date.now() > terminateAt) {
        terminated = true;
        await session.query(leftovers('pg_terminate_backend'), [name]);
      }
    }
    return found;
  } finally {
    await session.close();
  }
}
