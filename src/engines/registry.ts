import { UsageError } from '../errors.js';
import type { Engine, EngineName } from './engine.js';
import { databaseFromUrl as mongoDatabaseOf } from './mongodb/url.js';
import { isKeywordConnString, parseConnInfo } from './postgres/conninfo.js';

/** Which engine serves a connection URL, by its scheme (libpq's `key=value` strings are PostgreSQL's). */
export function engineNameForUrl(url: string): EngineName {
  if (isKeywordConnString(url)) return 'postgres';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return 'postgres';
    case 'mongodb':
    case 'mongodb+srv':
      return 'mongodb';
    default:
      throw new UsageError(
        `unsupported database URL scheme${scheme ? ` "${scheme}:"` : ''}`,
        'use postgres://, postgresql://, mongodb:// or mongodb+srv://, or PostgreSQL key=value pairs ("host=db dbname=shop")',
      );
  }
}

/** Loads an engine lazily so a PostgreSQL user never loads the MongoDB driver and vice versa. */
export async function loadEngine(name: EngineName): Promise<Engine> {
  switch (name) {
    case 'postgres':
      return (await import('./postgres/index.js')).postgresEngine as Engine;
    case 'mongodb':
      return (await import('./mongodb/index.js')).mongodbEngine as Engine;
  }
}

/**
 * The database a connection string names, read the way its engine's driver
 * will (for PostgreSQL, libpq's rules: the environment, the service file, the
 * user name as default); undefined for a MongoDB URL that names none. Throws a
 * UsageError for a string the engine cannot read.
 */
export function databaseOfUrl(url: string): string | undefined {
  return engineNameForUrl(url) === 'postgres' ? parseConnInfo(url).database : mongoDatabaseOf(url);
}
