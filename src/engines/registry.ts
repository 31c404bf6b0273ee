import { StowageError, UsageError } from '../errors.js';
import type { Engine } from './engine.js';
import { mongodb } from './mongodb/index.js';
import type { EnginePlugin, SourceConnecting } from './plugin.js';
import { postgres } from './postgres/index.js';

/**
 * The engines Stowage knows: the one place that lists them. Adding an engine
 * is a folder engines/<db>/ whose index.ts exports an {@link EnginePlugin},
 * and one entry here. The plugins are light; each loads its driver, backup and
 * restore on first use.
 */
const ENGINES = [postgres, mongodb] as const;

/** Engine identifiers, as stored in the manifest. */
export type EngineName = (typeof ENGINES)[number]['name'];

/** Every engine's name, in the registry's order: what a manifest's `engine` may say. */
export const ENGINE_NAMES: readonly EngineName[] = ENGINES.map((e) => e.name);

/** Every engine, in the registry's order (flags, help and hints list them so). */
export function allEngines(): readonly EnginePlugin<EngineName>[] {
  return ENGINES;
}

/** True for a name of a registered engine (a manifest's `engine` field, read as a string). */
export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/**
 * The engine of that name. The archive layer reads a manifest's `engine` as
 * any string (it knows no engines): a name no plugin has is an archive of a
 * newer Stowage, refused here, where the engine is first needed.
 */
export function enginePlugin(name: string): EnginePlugin<EngineName> {
  const plugin = ENGINES.find((e) => e.name === name);
  if (!plugin)
    throw new StowageError(
      'unsupported-version',
      `the archive holds a backup of engine "${name}", which this stowage does not know (it knows ${ENGINE_NAMES.join(', ')})`,
      'use a newer stowage to read it',
    );
  return plugin;
}

/** The engine that serves a connection URL, by its scheme (or a scheme-less string an engine claims). */
export function engineForUrl(url: string): EnginePlugin<EngineName> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const plugin =
    ENGINES.find((e) => e.claimsUrl?.(url)) ??
    (scheme ? ENGINES.find((e) => e.schemes.includes(scheme)) : undefined);
  if (plugin) return plugin;
  const schemes = ENGINES.flatMap((e) => e.schemes.map((s) => `${s}://`));
  const otherForms = ENGINES.flatMap((e) => (e.otherUrlForms ? [`, or ${e.otherUrlForms}`] : []));
  throw new UsageError(
    `unsupported database URL scheme${scheme ? ` "${scheme}:"` : ''}`,
    `use ${schemes.slice(0, -1).join(', ')} or ${schemes.at(-1)}${otherForms.join('')}`,
  );
}

/** Which engine serves a connection URL. */
export function engineNameForUrl(url: string): EngineName {
  return engineForUrl(url).name;
}

/** Loads an engine's backup and restore lazily, so a PostgreSQL user never loads the MongoDB driver and vice versa. */
export function loadEngine(name: string): Promise<Engine> {
  return enginePlugin(name).load();
}

/**
 * The database a connection string names, read the way its engine's driver
 * will (for PostgreSQL, libpq's rules: the environment, the service file, the
 * user name as default); undefined for a MongoDB URL that names none. Throws a
 * UsageError for a string the engine cannot read.
 */
export function databaseOfUrl(url: string): string | undefined {
  return engineForUrl(url).databaseOfUrl(url);
}

/**
 * Starts a backup's first connection to `source` through its engine's plugin (`connectSource`),
 * for the backup's `sourceConnection` option: a caller that knows the source before the backup's
 * modules have loaded (the CLI, once it has read its flags) opens it then, and the server starts
 * the session and authenticates while they load. Undefined when the engine cannot open one ahead:
 * the backup then connects its own way. Nothing is reported here: a source that cannot be reached
 * fails the backup that takes the connection, as if the backup had opened it. A caller that ends
 * up not running the backup must {@link SourceConnecting.dispose} it. Light (the plugin alone), so
 * calling it loads none of the backup's code.
 */
export function openSourceConnection(
  source: string,
  engineOptions: Record<string, unknown>,
  signal?: AbortSignal,
  /** The backup's jobs: the engine may open its data sessions now too. */
  jobs?: number,
): SourceConnecting | undefined {
  return engineForUrl(source).probes.connectSource?.(source, engineOptions, signal, jobs);
}
