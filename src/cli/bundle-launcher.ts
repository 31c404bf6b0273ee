#!/usr/bin/env node
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { codeCacheDir, runCachedBundle } from './code-cache.js';
import { unsupportedNodeMessage } from './node-version.js';
import { keepToMaglevFor } from './optimizing-tier.js';

// The bundle's `bin.js` and `frame-worker.js` (scripts/bundle-cli.mjs): each runs its CommonJS entry
// (bin.ts or frame-worker.ts, built into `NAME-HASH.cjs`) through the code cache (code-cache.ts).

/** The entry file beside this launcher, set by scripts/bundle-cli.mjs when it builds the launcher. */
declare const STOWAGE_BUNDLE_ENTRY: string;
/** This launcher starts codec worker threads (`frame-worker.js`), not the command. */
declare const STOWAGE_BUNDLE_WORKER: boolean;

// On a Node.js older than package.json's `engines`, say so and stop before anything needs a newer one.
const tooOld = unsupportedNodeMessage(process.versions.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(1);
}
// Node's own compile cache still serves what loads from node_modules (drivers, the AWS SDK), and
// names the folder the bundle's code caches go beside.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// Before the command's code gets hot (optimizing-tier.ts: a backup's or restore's peak memory).
keepToMaglevFor(runKind());
runCachedBundle(fileURLToPath(new URL(STOWAGE_BUNDLE_ENTRY, import.meta.url)), codeCacheDir(runKind()));

/** What the run is, for its caches: the command (`backup`…), `worker` in a codec thread, or `other`. */
function runKind(): string {
  if (STOWAGE_BUNDLE_WORKER) return 'worker';
  const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  return command && /^[a-z]{1,16}$/.test(command) ? command : 'other';
}
