import { StowageError } from '../../errors.js';
import { PgSession, type PgTarget, parseTarget } from './connect.js';
import { abortReason, openMaintenance, type TargetCreation } from './target-creation.js';

/**
 * The restore target: connecting to it, creating it when asked, and refusing
 * to write into a database that already holds objects.
 */

export interface OpenTargetOptions {
  /** `--create`: the database's creation, begun while the restore planned. */
  creation?: TargetCreation;
  settings: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Runs on a session to the target server before anything is written to it:
   * on the target database, or, when this run created it, on the maintenance
   * database after CREATE DATABASE (prerequisite checks, globals).
   */
  prepare?: (session: PgSession) => Promise<void>;
  /** The first connection, started earlier by {@link startConnecting}; openTarget takes it over. */
  connecting?: TargetConnecting;
}

/**
 * The restore's first connection, opened while the caller still plans: connecting
 * (a backend started, an authentication) is waiting the planning's CPU can fill.
 * With `create` it is the maintenance database's session, as openTarget would open it.
 */
export interface TargetConnecting {
  session: Promise<PgSession | undefined>;
  /** Closes the session unless openTarget took it over: for callers that stop before. */
  dispose(): Promise<void>;
}

export function startConnecting(
  url: string,
  options: { create: boolean; settings: Record<string, string>; signal?: AbortSignal },
): TargetConnecting {
  const target = parseTarget(url);
  // The signal cancels the maintenance session's statement and leaves the session to drop a
  // database this run created (target-creation.ts).
  const session = options.create
    ? openMaintenance(target, options.signal)
    : PgSession.open(target, { mode: 'restore', settings: options.settings, signal: options.signal });
  // Its failure is reported where openTarget awaits it, after the planning's own errors.
  session.catch(() => {});
  let taken = false;
  return {
    get session() {
      taken = true;
      return session;
    },
    async dispose() {
      if (!taken) await (await session.catch(() => undefined))?.close();
    },
  };
}

/**
 * Opens the target database. With `creation` (`--create`), the database this run created or found
 * absent and created: its session connects while `prepare` runs on the maintenance session; a
 * database that existed is opened and checked as without `--create`. On a refusal here, the
 * caller undoes the creation (target-creation.ts).
 */
export async function openTarget(
  url: string,
  options: OpenTargetOptions,
  warnings: string[],
): Promise<{ session: PgSession; created: boolean; target: PgTarget }> {
  const target = parseTarget(url);
  const open = () =>
    PgSession.open(target, { mode: 'restore', settings: options.settings, signal: options.signal });
  const { creation } = options;
  if (creation) {
    const outcome = await creation.outcome;
    warnings.push(...outcome.warnings);
    // Interrupted, and CREATE DATABASE had completed: the caller drops it.
    if (options.signal?.aborted) throw abortReason(options.signal);
    if (outcome.admin && outcome.created) {
      // Connecting to the new database (a backend started, an authentication) runs while the
      // checks that needed the plan run on the maintenance session: the same server and role.
      const opening = open();
      opening.catch(() => {});
      try {
        await options.prepare?.(outcome.admin);
      } catch (err) {
        // Closed before the caller drops the database.
        await (await opening.catch(() => undefined))?.close();
        throw err;
      }
      return { session: await opening, created: true, target };
    }
    // Found: not ours, so the emptiness check applies.
    await creation.keep();
  }
  let session: PgSession | undefined;
  try {
    session = (options.connecting && !creation && (await options.connecting.session)) || (await open());
  } catch (err) {
    if (!(err instanceof StowageError) || err.code !== 'pg-no-database' || !creation) throw err;
    // The maintenance database was out of reach above: say why.
    throw new StowageError(
      'pg-no-database',
      `cannot create database "${target.database}": neither "postgres" nor "template1" exists on ${target.server}`,
      'create the database yourself, then restore without --create',
    );
  }
  try {
    await options.prepare?.(session);
  } catch (err) {
    await session.close();
    throw err;
  }
  return { session, created: false, target };
}

/**
 * Counts user objects in the target; a fresh database (even with extensions
 * installed) counts zero, and so do the functions in `ignoreRoutines` (OIDs:
 * those of base types the user installed beforehand, see preinstalled.ts).
 */
export async function countUserObjects(
  session: PgSession,
  ignoreRoutines: string[] = [],
): Promise<{ relations: number; routines: number; types: number }> {
  const system = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'`;
  const notExtension = (catalog: string, oid: string) =>
    `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.${catalog}'::pg_catalog.regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
  const { rows } = await session.query<{ relations: string; routines: string; types: string }>(
    `SELECT
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND ${system} AND ${notExtension('pg_class', 'c.oid')}) AS relations,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
         WHERE ${system} AND ${notExtension('pg_proc', 'p.oid')} AND p.oid <> ALL($1::oid[])) AS routines,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
         WHERE t.typtype IN ('e', 'd', 'r') AND ${system} AND ${notExtension('pg_type', 't.oid')}) AS types`,
    [ignoreRoutines],
    'checking that the target database is empty',
  );
  const r = rows[0];
  return {
    relations: Number(r?.relations ?? 0),
    routines: Number(r?.routines ?? 0),
    types: Number(r?.types ?? 0),
  };
}

/** Throws unless the target holds no user objects (but the functions in `ignoreRoutines`). */
export async function requireEmptyTarget(session: PgSession, ignoreRoutines: string[] = []): Promise<void> {
  const counts = await countUserObjects(session, ignoreRoutines);
  const parts = [
    counts.relations && `${counts.relations} relations`,
    counts.routines && `${counts.routines} functions`,
    counts.types && `${counts.types} types`,
  ].filter(Boolean);
  if (parts.length) {
    throw new StowageError(
      'pg-target-not-empty',
      `target database "${session.target.database}" on ${session.target.server} is not empty (${parts.join(', ')})`,
      'restore into an empty or new database (--create), pass --clean to replace the archived objects, or --data-only to load into existing tables',
    );
  }
}

/** Those of `tables` that exist in the target (what a `--clean` or `--data-only` restore replaces or writes into). */
export async function existingTables<T extends { schema: string; name: string }>(
  session: PgSession,
  tables: T[],
): Promise<T[]> {
  if (tables.length === 0) return [];
  const { rows } = await session.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN unnest($1::text[], $2::text[]) AS w(schema, name) ON w.schema = n.nspname AND w.name = c.relname
      WHERE c.relkind IN ('r', 'p', 'm', 'f')`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
    'looking for the tables the restore replaces',
  );
  const present = new Set(rows.map((r) => `${r.schema}\0${r.name}`));
  return tables.filter((t) => present.has(`${t.schema}\0${t.name}`));
}

/**
 * Refuses, before anything is written, a restore whose archive needs
 * extensions the target server cannot install: otherwise pre-data fails part
 * way, after a `--clean` has already dropped the old objects.
 */
export async function requireExtensions(session: PgSession, extensions: string[]): Promise<void> {
  if (extensions.length === 0) return;
  const { rows } = await session.query<{ name: string }>(
    `SELECT w.name FROM unnest($1::text[]) AS w(name)
      WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions a WHERE a.name = w.name)`,
    [extensions],
    'checking the extensions the archive needs',
  );
  if (rows.length > 0) {
    const missing = rows.map((r) => r.name);
    throw new StowageError(
      'pg-missing-extension',
      `the target server ${session.target.server} cannot install ${missing.length === 1 ? 'extension' : 'extensions'} ${missing.join(', ')}, which the archive needs`,
      'install the extension packages on the target server first; nothing was written',
    );
  }
}
