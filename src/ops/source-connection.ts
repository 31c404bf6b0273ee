import type { SourceConnecting } from '../engines/plugin.js';
import { engineForUrl } from '../engines/registry.js';

/**
 * Starts a backup's first connection to its source, for the backup's `sourceConnection` option.
 * A caller that knows the source before the backup's own modules have loaded (the CLI, once it
 * has read its arguments) opens it then: the server starts the session and authenticates while
 * those modules load, instead of after. Undefined when the source's engine cannot open one ahead
 * (its plugin has no `connectSource`): the backup then checks and connects its own way.
 *
 * Nothing is reported here: a source that cannot be reached fails the backup that takes the
 * connection, with the same error as a connection the backup opened itself. A caller that ends
 * up not running the backup must {@link SourceConnecting.dispose} it.
 *
 * Kept apart from the backup operation, and light (the engine's plugin alone), so that calling
 * it loads none of the backup's code.
 */
export function openSourceConnection(
  source: string,
  engineOptions: Record<string, unknown>,
  signal?: AbortSignal,
): SourceConnecting | undefined {
  return engineForUrl(source).probes.connectSource?.(source, engineOptions, signal);
}
