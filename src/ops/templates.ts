import type { CachedTemplate, EngineTemplateCache } from '../engines/engine.js';
import { engineNameForUrl, loadEngine } from '../engines/registry.js';
import { UsageError } from '../errors.js';
import { redactUrl } from '../redact.js';

/**
 * The template databases `restore --template-cache` keeps on a server: listed
 * and dropped only through the engine, which touches no database it did not
 * mark as its own.
 */

async function cacheOf(url: string): Promise<EngineTemplateCache> {
  const name = engineNameForUrl(url);
  const engine = await loadEngine(name);
  if (!engine.templateCache)
    throw new UsageError(
      `${redactUrl(url)} is a ${name} server: cached templates are PostgreSQL only`,
      'give a postgres:// URL',
    );
  return engine.templateCache as EngineTemplateCache;
}

/** The cached templates on the server of `url` (any database of it may be named). */
export async function listTemplates(url: string, signal?: AbortSignal): Promise<CachedTemplate[]> {
  return (await cacheOf(url)).list(url, signal);
}

/**
 * Drops cached templates: those named, or every one with `all`. Names that
 * are not cached templates are refused before anything is dropped.
 */
export async function dropTemplates(
  url: string,
  which: { names: string[] } | { all: true },
  signal?: AbortSignal,
): Promise<string[]> {
  const names = 'all' in which ? [] : which.names;
  if (!('all' in which) && names.length === 0)
    throw new UsageError('name the templates to drop', 'stowage templates drop URL NAME…, or --all');
  return (await cacheOf(url)).drop(url, names, signal);
}
