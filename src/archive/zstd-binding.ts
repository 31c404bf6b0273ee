import { createRequire } from 'node:module';
import { StowageError } from '../errors.js';

/** zstd-napi's low-level binding (a CommonJS native module). */
export type ZstdBinding = typeof import('zstd-napi/binding.js');

/**
 * Loads zstd-napi's native binding, or throws a one-line {@link StowageError}
 * (`native-addon`) that names the fix. The addon is compiled when stowage is
 * installed, for the Node.js that installed it: run under another Node (or
 * installed with scripts disabled, so never built), loading fails with a
 * loader message several lines long. The whole message fits on one line so
 * that it survives as it is through a codec worker thread, whose errors reach
 * the main thread as a message and a code alone.
 *
 * A `require`, not an `import()`: the modules that load it then need no top-level await, which the
 * CLI bundle's CommonJS files cannot have (they run through a code cache, src/cli/code-cache.ts).
 */
export function loadZstdBinding(): ZstdBinding {
  try {
    return createRequire(import.meta.url)('zstd-napi/binding.js') as ZstdBinding;
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
    throw new StowageError(
      'native-addon',
      `the compression addon zstd-napi does not load on Node.js ${process.versions.node} (${detail}); ` +
        'run `npm rebuild zstd-napi` in the folder stowage is installed in (or reinstall stowage with this Node.js)',
      undefined,
      { cause: err },
    );
  }
}
