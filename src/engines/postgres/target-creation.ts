import { abortReason as abortReasonOf } from '../../abort-reason.js';
import { StowageError } from '../../errors.js';
import { NoAnswerError, PgSession, type PgTarget, withDatabase } from './connect.js';
import { quoteIdent, quoteLiteral } from './ident.js';
import { requireSupportedServer } from './server-info.js';

/**
 * `--create`'s database, created while the restore still plans. CREATE DATABASE is the longest
 * single wait of a small restore (some 90 ms on an idle server, copying template0), and nothing
 * it does depends on the plan: so it starts once the cheap refusals have passed (the archive's
 * header, key, manifest and schema checks, in ops and the engine; the server's version and the
 * target's absence, here, in the same round trip), and the checks that need the plan (the target
 * version's features, roles, extensions) follow on the same maintenance session while the new
 * database's first session connects. A refusal or failure before anything is written into the
 * database drops it again ({@link TargetCreation.undo}), but only a database this run created:
 * one that existed is never touched, and one that someone else created meanwhile is refused.
 *
 * An interrupt or a stall (the restore's signal) cancels the maintenance session's statement
 * through the server (a cancel request) rather than dropping its connection: a CREATE DATABASE
 * whose client vanished would still complete on the server, while a cancelled one ends without a
 * database, or answers that it had completed, and then the same session drops it. Every wait is
 * bounded; a server that does not answer within the bound leaves the run saying what may be left.
 */

/** How long DROP DATABASE gets (it waits up to 5 s itself for other sessions to leave). */
const DROP_ANSWER_MS = 10_000;

/** The encoding and locale the created database gets: the archived database's. */
export interface CreationSpec {
  encoding: string;
  /** The archived database's locale: the created database gets it when it differs from template0's. */
  locale?: { collate: string; ctype: string };
}

/** What `--create` found on the server, or did there. */
export interface CreationOutcome {
  /** A session on the maintenance database; undefined when neither `postgres` nor `template1` could be reached. */
  admin: PgSession | undefined;
  /** Whether this run created the database (and so may drop it again). */
  created: boolean;
  /** What the creation has to say (a database created in the C locale). */
  warnings: string[];
}

export class TargetCreation {
  /** Settles once the database was found, or created (or its creation failed). */
  readonly outcome: Promise<CreationOutcome>;
  private finished: Promise<void> | undefined;

  /**
   * Starts on `maintenance` (a session on the maintenance database, still connecting, opened by
   * {@link openMaintenance} with the same `signal`) at once. When `signal` aborts, the outcome is
   * its reason, unless CREATE DATABASE had completed ({@link undo} then drops the database).
   */
  constructor(
    maintenance: Promise<PgSession | undefined>,
    readonly target: PgTarget,
    spec: CreationSpec,
    signal: AbortSignal | undefined,
  ) {
    this.outcome = create(maintenance, target, spec, signal);
    // Its failure is reported where the restore awaits it, after the planning's own errors.
    this.outcome.catch(() => {});
  }

  /** The restore has begun writing into the database (or did not create it): it stays. */
  keep(): Promise<void> {
    this.finished ??= this.outcome.then(
      (o) => o.admin?.close(),
      () => {},
    );
    return this.finished;
  }

  /**
   * The restore stopped before writing into the database: drops it if this run created it (the
   * caller has closed its own sessions on it first). Returns what to add to the error, if anything.
   */
  async undo(): Promise<string | undefined> {
    if (this.finished) {
      await this.finished;
      return undefined;
    }
    let note: string | undefined;
    this.finished = (async () => {
      const outcome = await this.outcome.catch(() => undefined);
      if (!outcome?.admin) return;
      const name = this.target.database;
      const drop = `DROP DATABASE ${quoteIdent(name)}`;
      try {
        if (!outcome.created) return;
        // Also after the signal (the session then takes bounded statements only): this is its cleanup.
        await outcome.admin.queryWithin(DROP_ANSWER_MS, drop, [], `dropping database "${name}"`);
        note = `database "${name}", created by this restore, was dropped again`;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        note =
          err instanceof NoAnswerError
            ? `database "${name}", created by this restore, may still exist (${why}): drop it with ${drop}`
            : `database "${name}" was created by this restore and could not be dropped again (${why}): drop it yourself`;
      } finally {
        await outcome.admin.close();
      }
    })();
    await this.finished;
    return note;
  }
}

/** `err` with `note` (from {@link TargetCreation.undo}) added to its message; the same error without one. */
export function withCreationNote(err: unknown, note: string | undefined): unknown {
  if (!note) return err;
  if (err instanceof StowageError)
    return new StowageError(err.code, `${err.message}; ${note}`, err.hint, { cause: err.cause ?? err });
  const message = err instanceof Error ? err.message : String(err);
  return new StowageError('pg-error', `${message}; ${note}`, undefined, { cause: err });
}

/** What the restore's signal ended it with: its reason (an interrupt, a stall) when Stowage gave one. */
export function abortReason(signal: AbortSignal): StowageError {
  return abortReasonOf(signal, 'restore');
}

async function create(
  maintenance: Promise<PgSession | undefined>,
  target: PgTarget,
  spec: CreationSpec,
  signal: AbortSignal | undefined,
): Promise<CreationOutcome> {
  // Out of reach (or refused): the restore then tries the target itself, and says why.
  const admin = await connected(maintenance, signal);
  if (!admin) return { admin: undefined, created: false, warnings: [] };
  let creating = false;
  try {
    const found = await lookUpTarget(admin, target.database);
    requireSupportedServer(found.server, admin.target.server);
    if (found.exists) return { admin, created: false, warnings: [] };
    // Interrupted before anything was created: nothing to undo.
    if (signal?.aborted) throw abortReason(signal);
    const warnings: string[] = [];
    creating = true;
    await createDatabase(admin, target, spec, warnings, found.template0);
    return { admin, created: true, warnings };
  } catch (err) {
    await admin.close();
    // A cancelled statement's own error ("canceling statement due to user request") is not the news.
    const reported = signal?.aborted ? abortReason(signal) : err;
    // CREATE DATABASE without the server's answer (its connection dropped or lost) may still have
    // completed there: nothing here can tell whose the database would be, so the user is told.
    if (creating && !answeredByServer(err)) {
      const name = target.database;
      throw withCreationNote(
        reported,
        `database "${name}" may exist, created by this restore: drop it with DROP DATABASE ${quoteIdent(name)}`,
      );
    }
    throw reported;
  }
}

/**
 * The maintenance session once it has connected, or undefined when it could not (the restore
 * then tries the target itself, and says why). The signal's reason when that comes first: nothing
 * was sent on the session yet, and it is closed whenever it connects.
 */
function connected(
  maintenance: Promise<PgSession | undefined>,
  signal: AbortSignal | undefined,
): Promise<PgSession | undefined> {
  const reached = maintenance.catch(() => undefined);
  if (!signal) return reached;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(abortReason(signal));
      void reached.then((session) => session?.close());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void reached.then((session) => {
      signal.removeEventListener('abort', onAbort);
      resolve(session);
    });
  });
}

/**
 * Whether `err` is the server's own refusal of a statement, which then did nothing: not a lost or
 * dropped connection, nor a FATAL one (a backend ended mid-commit may have committed).
 */
function answeredByServer(err: unknown): boolean {
  const raw = err instanceof StowageError ? err.cause : err;
  return (raw as { severity?: unknown } | undefined)?.severity === 'ERROR';
}

/** The defaults a database created from template0 gets (its encoding and locale). */
interface Template0 {
  enc: string;
  collate: string;
  ctype: string;
}

/**
 * Whether the target database exists, the server's version and, for creating the database,
 * template0's encoding and locale: one question to the maintenance database (round trips before
 * CREATE DATABASE wait).
 */
async function lookUpTarget(
  admin: PgSession,
  database: string,
): Promise<{
  exists: boolean;
  server: { version: string; versionNum: number };
  template0: Template0 | undefined;
}> {
  const { rows } = await admin.query<Partial<Template0> & { exists: boolean; version: string; num: string }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1) AS exists,
       pg_catalog.current_setting('server_version') AS version, pg_catalog.current_setting('server_version_num') AS num,
       pg_catalog.pg_encoding_to_char(t.encoding) AS enc, t.datcollate AS collate, t.datctype AS ctype
     FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_database t ON t.datname = 'template0'`,
    [database],
    'looking for the target database',
  );
  const r = rows[0];
  const template0 =
    r?.enc != null && r.collate != null && r.ctype != null
      ? { enc: r.enc, collate: r.collate, ctype: r.ctype }
      : undefined;
  return {
    exists: !!r?.exists,
    server: { version: r?.version ?? '?', versionNum: Number(r?.num ?? 0) },
    template0,
  };
}

/**
 * A session on the `postgres` maintenance database, or `template1`; undefined when neither exists.
 * `signal` cancels its running statement and leaves it open for the cleanup (see TargetCreation).
 */
export async function openMaintenance(
  target: PgTarget,
  signal: AbortSignal | undefined,
): Promise<PgSession | undefined> {
  for (const maintenance of ['postgres', 'template1']) {
    try {
      return await PgSession.open(withDatabase(target, maintenance), {
        mode: 'restore',
        signal,
        signalCancels: true,
      });
    } catch (err) {
      if (!(err instanceof StowageError) || err.code !== 'pg-no-database') throw err;
    }
  }
  return undefined;
}

/**
 * SQLSTATEs of a CREATE DATABASE that lost the name to another session: `duplicate_database` when
 * the other's database was there when the statement began, a unique violation on pg_database's name
 * index when both ran at once and the other committed first.
 */
const NAME_TAKEN = new Set(['42P04', '23505']);

/**
 * Creates the target database from `admin`, a session on a maintenance database. One that another
 * session created since the lookup is refused, never written into: it is most likely another
 * `restore --create` of the same name under way, which an emptiness check would pass while that
 * restore has not yet written, and the two would then write into one database.
 */
async function createDatabase(
  admin: PgSession,
  target: PgTarget,
  { encoding, locale }: CreationSpec,
  warnings: string[],
  template0: Template0 | undefined,
): Promise<void> {
  const defaultEncoding = template0?.enc;
  let sql = `CREATE DATABASE ${quoteIdent(target.database)} TEMPLATE template0`;
  let inCLocale = false;
  if (
    locale &&
    (!defaultEncoding || defaultEncoding === encoding) &&
    (locale.collate !== template0?.collate || locale.ctype !== template0?.ctype)
  ) {
    // The archived database's own locale, as pg_dump --create gives it.
    sql += ` LC_COLLATE ${quoteLiteral(locale.collate)} LC_CTYPE ${quoteLiteral(locale.ctype)}`;
  } else if (defaultEncoding && defaultEncoding !== encoding) {
    // The cluster's locale may not fit the archived encoding; the C locale fits every encoding.
    sql += ` ENCODING ${quoteLiteral(encoding)} LC_COLLATE 'C' LC_CTYPE 'C'`;
    inCLocale = true;
  }
  try {
    await admin.query(sql, [], `creating database "${target.database}"`);
  } catch (err) {
    const cause = err instanceof StowageError ? err.cause : undefined;
    const sqlstate = (cause as { code?: string } | undefined)?.code ?? '';
    if (sqlstate === '42501')
      throw new StowageError(
        'pg-permission',
        `role "${admin.target.user}" may not create databases on ${target.server}`,
        `give it CREATEDB (ALTER ROLE ${quoteIdent(admin.target.user)} CREATEDB), or create "${target.database}" as a role that may and restore without --create; nothing was written`,
        { cause },
      );
    if (!NAME_TAKEN.has(sqlstate)) throw err;
    // Not this run's database: the caller's cleanup leaves it alone (the outcome says nothing was created).
    throw new StowageError(
      'pg-target-not-empty',
      `database "${target.database}" already exists on ${target.server}: another session created it while this restore was creating it`,
      'restore into another name (--create), or once the other restore is done, again with --clean to replace it; nothing was written',
      { cause },
    );
  }
  if (inCLocale)
    warnings.push(
      `created database "${target.database}" with encoding ${encoding} and the C locale (the server default is ${defaultEncoding})`,
    );
}
