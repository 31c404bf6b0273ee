import type { EngineName } from '../engines/engine.js';
import type { ProbeSession, SourceConnecting, TargetContents } from '../engines/plugin.js';
import { engineForUrl } from '../engines/registry.js';
import { StowageError, UsageError } from '../errors.js';
import { redactConnection, redactUrl } from '../redact.js';

/**
 * Small direct questions to a database server that operations need before or
 * after the engines do their work: is it reachable, does the target hold
 * data already (restore safety), drop a scratch database (restore tests).
 * Each engine's plugin asks them (its `probes`); here they get one way of
 * failing: a one-line message without the password.
 */

export type { TargetContents } from '../engines/plugin.js';

/**
 * Connects and runs a trivial command; throws a one-line StowageError when the server cannot be
 * reached, or the signal's reason when `signal` aborts while connecting.
 */
export async function checkReachable(
  url: string,
  signal?: AbortSignal,
): Promise<{ engine: EngineName; version: string }> {
  const engine = engineForUrl(url);
  const version = await withProbe(url, signal ? { signal } : {}, (probe) => probe.serverVersion());
  return { engine: engine.name, version };
}

/**
 * The preflight's source check, made of the backup's first connection (opened by its engine's
 * plugin: see DatabaseProbes.connectSource and openSourceConnection): it fails as
 * {@link checkReachable} does, without a connection of its own.
 */
export function sourceCheck(
  connecting: SourceConnecting,
  url: string,
): () => Promise<{ engine: EngineName; version: string }> {
  const engine = engineForUrl(url);
  return async () => {
    try {
      await connecting.connected;
    } catch (err) {
      throw unreachable(err, url);
    }
    try {
      return { engine: engine.name, version: await connecting.ready };
    } catch (err) {
      throw clean(err, url);
    }
  };
}

/**
 * What the database a URL names holds. `databases`: those a restore would
 * write when the URL names none (a MongoDB restore of a whole deployment).
 */
export async function inspectTarget(url: string, databases: string[] = []): Promise<TargetContents> {
  const engine = engineForUrl(url);
  try {
    return await withProbe(url, {}, (probe) => probe.contents(databases));
  } catch (err) {
    // A database that does not exist yet is an empty target.
    const cause = (err as { cause?: unknown }).cause;
    if (engine.probes.isMissingDatabase(cause)) return { exists: false, objects: 0, sample: [] };
    throw err;
  }
}

/** Drops a database (a restore test's scratch database). Missing is fine. */
export async function dropDatabase(url: string): Promise<void> {
  await withProbe(url, { toDrop: true }, (probe) => probe.dropDatabase());
}

/** Connects, runs `fn`, always disconnects; errors come out as one-line messages without the password. */
async function withProbe<T>(
  url: string,
  options: { toDrop?: boolean; signal?: AbortSignal },
  fn: (probe: ProbeSession) => Promise<T>,
): Promise<T> {
  let probe: ProbeSession;
  try {
    probe = await engineForUrl(url).probes.connect(url, options);
  } catch (err) {
    throw unreachable(err, url);
  }
  try {
    return await fn(probe);
  } catch (err) {
    throw clean(err, url);
  } finally {
    await probe.close().catch(() => {});
  }
}

function unreachable(err: unknown, url: string): StowageError {
  // Stopped while connecting (a signal), not out of reach: said as every interrupt is.
  if (err instanceof UsageError || (err instanceof StowageError && err.code === 'interrupted')) return err;
  // The engine's own connection error says it all already; keep its driver cause for the detail,
  // and its hint, which knows what failed ("check the database name in the URL" for a missing one).
  const engineHint = err instanceof StowageError ? err.hint : undefined;
  if (err instanceof StowageError && err.cause) err = err.cause;
  const detail = redactConnection(err instanceof Error ? err.message : String(err), url).split('\n')[0];
  return new StowageError(
    'db-unreachable',
    `cannot connect to ${redactUrl(url)}: ${detail}`,
    engineHint ?? 'check the host, port, credentials and that the server is running',
    { cause: err },
  );
}

function clean(err: unknown, url: string): Error {
  if (err instanceof StowageError) return err;
  const detail = redactConnection(err instanceof Error ? err.message : String(err), url).split('\n')[0];
  return new StowageError('db-error', `${redactUrl(url)}: ${detail}`, undefined, { cause: err });
}
