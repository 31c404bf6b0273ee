import type { RestoreStart } from '../engines/engine.js';
import type { SourceConnecting } from '../engines/plugin.js';
import { engineForUrl } from '../engines/registry.js';

/**
 * Connections a command opens before the operation that uses them has loaded. A backup or restore
 * of a small database spends a good part of its run loading its modules (the engine with its
 * driver, the archive, the store); the CLI knows the server as soon as it has read its arguments,
 * so the server starts the session and authenticates meanwhile, instead of after. The operation
 * takes the connection over through an explicit option and reports any failure to connect as when
 * it connects itself. Light on purpose (the engine's plugin alone): calling these loads none of the
 * operations' code.
 */

/**
 * Starts a backup's first connection to its source, for the backup's `sourceConnection` option.
 * Undefined when the source's engine cannot open one ahead (its plugin has no `connectSource`):
 * the backup then checks and connects its own way. A caller that ends up not running the backup
 * must {@link SourceConnecting.dispose} it.
 */
export function openSourceConnection(
  source: string,
  engineOptions: Record<string, unknown>,
  signal?: AbortSignal,
): SourceConnecting | undefined {
  return engineForUrl(source).probes.connectSource?.(source, engineOptions, signal);
}

/**
 * Begins what a restore into `target` does before reading its archive (its engine's `startRestore`:
 * PostgreSQL connects, to the maintenance database with `create`), for the restore's `started`
 * option. The engine's modules load first, as the restore's own start would load them. Settles
 * undefined when the engine begins nothing ahead; rejects as the restore's own start would fail
 * (a target URL the engine cannot read). A caller that ends up not running the restore must
 * dispose what it began.
 */
export function startRestoreEarly(
  target: string,
  engineOptions: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<RestoreStart | undefined> {
  const starting = engineForUrl(target)
    .load()
    .then((engine) => engine.startRestore?.(target, engineOptions, signal));
  starting.catch(() => {}); // reported by the restore that awaits it
  return starting;
}
