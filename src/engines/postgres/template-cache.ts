import { StowageError, UsageError } from '../../errors.js';
import type {
  CachedTemplate,
  EngineTemplateCache,
  TemplateRestoreRequest,
  TemplateRestoreResult,
} from '../engine.js';
import { PgSession, type PgTarget, parseTarget, withDatabase } from './connect.js';
import { quoteConnInfoValue } from './conninfo.js';
import { dropCreatedDatabase } from './drop-created-database.js';
import { quoteIdent, quoteLiteral } from './ident.js';
import { parsePostgresSchema } from './model.js';
import type { PostgresRestoreOptions } from './options.js';
import { restorePostgres } from './restore.js';
import { databasePropertyStatements } from './restore-database-properties.js';
import { tableOfStream } from './table-parts.js';
import { withCreationNote } from './target-creation.js';

/**
 * Repeated restores of one archive (CI test databases): the first restore into
 * a server loads the archive once into a template database named after its
 * content key, and every restore, that one included, is then a
 * `CREATE DATABASE target TEMPLATE …`: a file copy instead of a load.
 *
 * A template is loaded under a temporary name and renamed only once complete,
 * so a crashed load never passes for a cached one; it is marked as Stowage's
 * (name prefix, a comment naming the archive and key, `IS_TEMPLATE`,
 * `ALLOW_CONNECTIONS false` so that nobody connects to it by accident, which
 * would block every clone). The key covers the archive's content and the
 * restore options, so a changed archive never meets an old template.
 */

/** Every cached template's name starts with this; list and drop touch no other database. */
export const TEMPLATE_PREFIX = 'stowage_tpl_';
/** The marker comment's first words: a database named like ours but without it is not ours. */
const MARKER = 'stowage template cache';
/** Hex digits of the key in the name: 128 bits, well inside the 63-byte identifier limit. */
const KEY_DIGITS = 32;

/** The template database for a content key. */
export function templateName(key: string): string {
  return `${TEMPLATE_PREFIX}${key.slice(0, KEY_DIGITS)}`;
}

async function openMaintenance(target: PgTarget, signal?: AbortSignal): Promise<PgSession> {
  let lastError: unknown;
  for (const maintenance of ['postgres', 'template1']) {
    try {
      return await PgSession.open(withDatabase(target, maintenance), { mode: 'restore', signal });
    } catch (err) {
      if (!(err instanceof StowageError) || err.code !== 'pg-no-database') throw err;
      lastError = err;
    }
  }
  throw lastError;
}

async function databaseExists(admin: PgSession, name: string): Promise<boolean> {
  const { rows } = await admin.query(
    'SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1',
    [name],
    'looking for a database',
  );
  return rows.length > 0;
}

async function dropDatabase(admin: PgSession, name: string): Promise<void> {
  // A template cannot be dropped; connections are already refused, so nobody can be in it but a superuser.
  await admin.query(`ALTER DATABASE ${quoteIdent(name)} IS_TEMPLATE false`, [], `unmarking template ${name}`);
  await admin.query(`DROP DATABASE ${quoteIdent(name)}`, [], `dropping template ${name}`);
}

/** `CREATE DATABASE … TEMPLATE`: on PostgreSQL 15+ with STRATEGY FILE_COPY, the faster way for a whole-database copy. */
async function cloneTemplate(admin: PgSession, template: string, database: string): Promise<void> {
  const { rows } = await admin.query<{ v: string }>(
    "SELECT pg_catalog.current_setting('server_version_num') AS v",
    [],
    'reading the server version',
  );
  // WAL_LOG (the 15+ default) writes every block to the WAL: slower for one whole-database copy.
  const strategy = Number(rows[0]?.v) >= 150000 ? ' STRATEGY FILE_COPY' : '';
  try {
    await admin.client.query(
      `CREATE DATABASE ${quoteIdent(database)} TEMPLATE ${quoteIdent(template)}${strategy}`,
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '55006') {
      throw new StowageError(
        'pg-template-busy',
        `cannot clone template database "${template}" into "${database}": the template is in use by another session`,
        `wait for the other session to disconnect from "${template}" (see pg_stat_activity), then run the restore again; nothing was written`,
        { cause: err },
      );
    }
    if (code === '42P04') {
      throw new UsageError(
        `database "${database}" already exists on ${admin.target.server}; --template-cache creates the target`,
        'name a new database, or drop that one first',
      );
    }
    throw admin.translate(err, `cloning template ${template} into ${database}`);
  }
}

/** Loads the archive into the template for `key`, unless it is cached already. Returns true when it loaded. */
async function ensureTemplate(
  admin: PgSession,
  request: TemplateRestoreRequest<PostgresRestoreOptions>,
  template: string,
): Promise<boolean> {
  // One loader per template and server; a second restore of the same archive waits, then clones.
  await admin.query(
    'SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext($1))',
    [template],
    'waiting for another restore loading the same template',
  );
  try {
    if (await databaseExists(admin, template)) return false;
    const loading = `${template}_load`;
    // Left over by a load that crashed: never complete, and only a loader holding the lock touches it.
    if (await databaseExists(admin, loading)) await dropDatabase(admin, loading);
    const loadUrl = withDatabase(admin.target, loading);
    try {
      await restorePostgres({
        ...request,
        url: connectionUrl(request.url, loadUrl),
        options: { ...request.options, create: true },
        // Begun (if at all) for the target's URL, not this template's.
        started: undefined,
        // The half-loaded template is this cache's to drop (below), not the caller's.
        onWriteBegun: undefined,
      });
      const comment = `${MARKER}: ${request.label}, key ${request.key}`;
      await admin.query(
        `COMMENT ON DATABASE ${quoteIdent(loading)} IS ${quoteLiteral(comment)}`,
        [],
        'marking the template',
      );
      await admin.query(
        `ALTER DATABASE ${quoteIdent(loading)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
        [],
        'marking the template',
      );
      // The rename makes it visible whole: a template under its final name is complete.
      await admin.query(
        `ALTER DATABASE ${quoteIdent(loading)} RENAME TO ${quoteIdent(template)}`,
        [],
        'naming the template',
      );
    } catch (err) {
      // On this session (it unmarks a template marked before a failed rename) while it lives; an
      // interrupt's signal has ended it, and a session of its own drops the half-made template then.
      const dropped = await dropDatabase(admin, loading).then(
        () => true,
        () => false,
      );
      throw dropped ? err : await withoutHalfLoadedTemplate(err, request.url, loadUrl);
    }
    return true;
  } finally {
    await admin
      .query('SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext($1))', [template])
      .catch(() => {});
  }
}

/**
 * `err`, a load's failure, once the half-loaded template `loadUrl` is dropped; with a note when
 * it could not be (a later load drops it too, but until then it takes room on the server).
 */
async function withoutHalfLoadedTemplate(err: unknown, url: string, loadUrl: PgTarget): Promise<unknown> {
  try {
    await dropCreatedDatabase(connectionUrl(url, loadUrl), AbortSignal.timeout(TEMPLATE_DROP_BOUND_MS));
    return err;
  } catch (dropErr) {
    return withCreationNote(err, dropErr instanceof Error ? dropErr.message : String(dropErr));
  }
}

/** Opening a session and the drop's own statements (each bounded) fit well within this. */
const TEMPLATE_DROP_BOUND_MS = 60_000;

/**
 * The load goes to another database of the same server: the user's URL with
 * its database replaced (a URL keeps its host, user and parameters; a
 * key=value string gets a `dbname`).
 */
function connectionUrl(url: string, target: PgTarget): string {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const u = new URL(url);
    u.pathname = `/${encodeURIComponent(target.database)}`;
    u.searchParams.delete('dbname');
    return u.toString();
  }
  return `${url} dbname=${quoteConnInfoValue(target.database)}`;
}

async function restoreThroughTemplate(
  request: TemplateRestoreRequest<PostgresRestoreOptions>,
): Promise<TemplateRestoreResult> {
  const options = request.options ?? {};
  for (const [flag, given] of [
    ['--clean', options.clean],
    ['--data-only', options.dataOnly],
    ['--single-transaction', options.singleTransaction],
  ] as const) {
    if (given)
      throw new UsageError(
        `${flag} does not go with --template-cache, which always creates a new target database`,
        `leave out ${flag}`,
      );
  }
  const target = parseTarget(request.url);
  const schema = await parsePostgresSchema(request.schema);
  if (schema.contents === 'globals' || schema.contents === 'data-only')
    throw new UsageError(
      `a ${schema.contents} archive is not a whole database to cache as a template`,
      'restore it without --template-cache',
    );
  const template = templateName(request.key);
  if (target.database === template || target.database.startsWith(TEMPLATE_PREFIX))
    throw new UsageError(`the target database name ${target.database} is reserved for cached templates`);
  const admin = await openMaintenance(target, request.signal);
  try {
    if (await databaseExists(admin, target.database)) {
      throw new UsageError(
        `database "${target.database}" already exists on ${target.server}; --template-cache creates the target`,
        'name a new database, or drop that one first',
      );
    }
    const loaded = await ensureTemplate(admin, request, template);
    if (!loaded) {
      // The confirmation and safety-backup hook: a new database replaces nothing.
      const units = [...new Set(request.streams.list().map((s) => tableOfStream(s.name)))];
      await request.beforeWrite?.({ units, replaced: [], backupOptions: {} });
    }
    request.progress({ type: 'phase', phase: 'clone', message: `cloning template ${template}` });
    await cloneTemplate(admin, template, target.database);
    // The clone is this run's: a failure from here on (its properties, an interrupt) has the
    // restore drop it again as it drops a --create target, or keep it with --keep-failed.
    request.onWriteBegun?.({
      database: target.database,
      created: true,
      startOver: `drop database "${target.database}" first: --template-cache creates the target`,
    });
    const properties = schema.database.properties;
    if (properties) {
      // CREATE DATABASE copies the contents, not the database's own owner, comment, settings or grants.
      const sql = databasePropertyStatements(target.database, properties, {
        owner: options.owner !== false,
        acl: options.acl !== false,
        mapRoles: options.mapRoles ?? {},
      });
      for (const statement of sql) await admin.query(statement, [], 'setting the database properties');
    }
    const items: Record<string, number> = {};
    for (const s of request.streams.list()) items[s.name] = s.items;
    return { database: target.database, items, warnings: [], template, loaded };
  } finally {
    await admin.close();
  }
}

async function listTemplates(url: string, signal?: AbortSignal): Promise<CachedTemplate[]> {
  const admin = await openMaintenance(parseTarget(url), signal);
  try {
    const { rows } = await admin.query<{ name: string; comment: string; bytes: string }>(
      `SELECT d.datname AS name, c.description AS comment, pg_catalog.pg_database_size(d.oid) AS bytes
         FROM pg_catalog.pg_database d
         JOIN pg_catalog.pg_shdescription c ON c.objoid = d.oid AND c.classoid = 'pg_catalog.pg_database'::pg_catalog.regclass
        WHERE d.datistemplate AND starts_with(d.datname, $1) AND starts_with(c.description, $2)
        ORDER BY d.datname`,
      [TEMPLATE_PREFIX, MARKER],
      'listing cached templates',
    );
    return rows.map((r) => ({ name: r.name, comment: r.comment, bytes: Number(r.bytes) }));
  } finally {
    await admin.close();
  }
}

async function dropTemplates(url: string, names: string[], signal?: AbortSignal): Promise<string[]> {
  const cached = await listTemplates(url, signal);
  const known = new Set(cached.map((t) => t.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `not a cached Stowage template on this server: ${unknown.join(', ')}`,
      'see `stowage templates list URL` for the cached ones',
    );
  }
  const chosen = names.length > 0 ? names : [...known];
  const admin = await openMaintenance(parseTarget(url), signal);
  try {
    for (const name of chosen) await dropDatabase(admin, name);
  } finally {
    await admin.close();
  }
  return chosen;
}

/** The PostgreSQL engine's template cache. */
export const postgresTemplateCache: EngineTemplateCache<PostgresRestoreOptions> = {
  restore: restoreThroughTemplate,
  list: listTemplates,
  drop: dropTemplates,
};
