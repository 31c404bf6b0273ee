import { StowageError } from '../../errors.js';
import { PgSession, type PgTarget, parseTarget, withDatabase } from './connect.js';
import { quoteIdent, quoteLiteral } from './ident.js';

/**
 * The restore target: connecting to it, creating it when asked, and refusing
 * to write into a database that already holds objects.
 */

export interface OpenTargetOptions {
  create: boolean;
  encoding: string;
  /** The archived database's locale: a created database gets it when it differs from the server's default. */
  locale?: { collate: string; ctype: string };
  settings: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Runs on a session to the target server before anything is written to it:
   * on the target database, or, when it is to be created, on the maintenance
   * database before CREATE DATABASE (prerequisite checks, globals).
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
 * Opens the target database; with `create`, creates it first when it does not
 * exist (connecting to the `postgres` maintenance database, or `template1`).
 */
export async function openTarget(
  url: string,
  options: OpenTargetOptions,
  warnings: string[],
): Promise<{ session: PgSession; created: boolean; target: PgTarget }> {
  const target = parseTarget(url);
  const open = () =>
    PgSession.open(target, { mode: 'restore', settings: options.settings, signal: options.signal });
  if (options.create) {
    // The target of --create is usually missing: ask the maintenance database, which creates it,
    // instead of paying for a failed login first (a whole authentication on a loaded server).
    const admin = await (options.connecting?.session ?? openMaintenance(target, options.signal)).catch(
      () => undefined,
    );
    if (admin) {
      let opening: Promise<PgSession> | undefined;
      let made = false;
      try {
        const found = await lookUpTarget(admin, target.database);
        if (!found.exists) {
          made = await createDatabase(admin, target, options, warnings, found.template0);
          // Connecting to the new database (a backend started, an authentication) need not wait
          // for the maintenance session's goodbye: the server ends that backend meanwhile.
          opening = open();
          opening.catch(() => {});
        }
      } finally {
        await admin.close();
      }
      // Created by someone else meanwhile: not ours, so the emptiness check applies (prepare ran above).
      if (opening) return { session: await opening, created: made, target };
    }
  }
  let session: PgSession | undefined;
  try {
    session = options.connecting && !options.create ? await options.connecting.session : await open();
  } catch (err) {
    if (!(err instanceof StowageError) || err.code !== 'pg-no-database' || !options.create) throw err;
  }
  if (session) {
    try {
      await options.prepare?.(session);
    } catch (err) {
      await session.close();
      throw err;
    }
    return { session, created: false, target };
  }
  // The maintenance database was out of reach above: say why.
  const admin = await openMaintenance(target, options.signal);
  if (!admin) {
    throw new StowageError(
      'pg-no-database',
      `cannot create database "${target.database}": neither "postgres" nor "template1" exists on ${target.server}`,
      'create the database yourself, then restore without --create',
    );
  }
  let made: boolean;
  try {
    made = await createDatabase(
      admin,
      target,
      options,
      warnings,
      (await lookUpTarget(admin, target.database)).template0,
    );
  } finally {
    await admin.close();
  }
  return { session: await open(), created: made, target };
}

/** The defaults a database created from template0 gets (its encoding and locale). */
interface Template0 {
  enc: string;
  collate: string;
  ctype: string;
}

/**
 * Whether the target database exists and, for creating it, template0's encoding and locale: one
 * question to the maintenance database instead of two (round trips before CREATE DATABASE wait).
 */
async function lookUpTarget(
  admin: PgSession,
  database: string,
): Promise<{ exists: boolean; template0: Template0 | undefined }> {
  const { rows } = await admin.query<Partial<Template0> & { exists: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1) AS exists,
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
  return { exists: !!r?.exists, template0 };
}

/** A session on the `postgres` maintenance database, or `template1`; undefined when neither exists. */
async function openMaintenance(
  target: PgTarget,
  signal: AbortSignal | undefined,
): Promise<PgSession | undefined> {
  for (const maintenance of ['postgres', 'template1']) {
    try {
      return await PgSession.open(withDatabase(target, maintenance), { mode: 'restore', signal });
    } catch (err) {
      if (!(err instanceof StowageError) || err.code !== 'pg-no-database') throw err;
    }
  }
  return undefined;
}

/**
 * Creates the target database from `admin`, a session on a maintenance database, once `prepare`
 * passed there; false when someone else created it meanwhile.
 */
async function createDatabase(
  admin: PgSession,
  target: PgTarget,
  options: OpenTargetOptions,
  warnings: string[],
  template0: Template0 | undefined,
): Promise<boolean> {
  const { encoding } = options;
  await options.prepare?.(admin);
  const defaultEncoding = template0?.enc;
  let sql = `CREATE DATABASE ${quoteIdent(target.database)} TEMPLATE template0`;
  let inCLocale = false;
  const locale = options.locale;
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
    await admin.client.query(sql);
  } catch (err) {
    // Someone created it in the meantime: fine, as long as the caller then checks that it is empty.
    if ((err as { code?: string }).code === '42P04') return false;
    throw admin.translate(err, `creating database "${target.database}"`);
  }
  if (inCLocale)
    warnings.push(
      `created database "${target.database}" with encoding ${encoding} and the C locale (the server default is ${defaultEncoding})`,
    );
  return true;
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
