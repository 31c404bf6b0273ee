#!/usr/bin/env node
import module from 'node:module';
import { unsupportedNodeMessage } from './node-version.js';

// First of all: on a Node.js older than package.json's `engines`, say so and stop, before anything
// loads a module that needs a newer Node (see node-version.ts).
const tooOld = unsupportedNodeMessage(process.versions.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(1);
}

// No top-level await: the bundle runs this module as a CommonJS-shaped script through its code cache
// (src/cli/code-cache.ts), which cannot hold one.
void start();

async function start(): Promise<void> {
  // The AWS SDK warns on every run under Node 20 about its future Node support;
  // that notice is for the SDK's integrators, not for people running stowage.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Node 22.1+ keeps the compiled code of the modules on disk (in the OS temp
  // folder), so every start after the first skips most of the parsing that
  // dominates a short command's time. Node 20 has no such cache.
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

  // `stowage demo` runs PostgreSQL compiled to WebAssembly (PGlite). V8's optimising compiler builds
  // that module in the background at a cost of some 300 MB of memory and two CPU-seconds on Node 24,
  // for queries the baseline compiler runs fast enough; the flag must be given when Node starts (Node
  // 24 freezes V8's flags after start-up), so the demo runs in a child started with it.
  const args = process.argv.slice(2);
  if (args.find((a) => !a.startsWith('-')) === 'demo' && !process.execArgv.includes('--liftoff-only')) {
    const { spawnSync } = await import('node:child_process');
    const { constants } = await import('node:os');
    const child = spawnSync(
      process.execPath,
      ['--liftoff-only', ...process.execArgv, process.argv[1] as string, ...args],
      { stdio: 'inherit' },
    );
    const signal = child.signal ? constants.signals[child.signal] : undefined;
    process.exit(child.status ?? (signal ? 128 + signal : 1));
  }

  const { exitQuietlyOnClosedOutput } = await import('./closed-output.js');
  exitQuietlyOnClosedOutput(process.stdout);
  exitQuietlyOnClosedOutput(process.stderr);
  // `stowage --version` alone prints what commander would, without loading the command definitions.
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    const { TOOL_VERSION } = await import('../version.js');
    process.stdout.write(`${TOOL_VERSION}\n`);
  } else {
    await runMain(args);
  }
}

async function runMain(args: string[]): Promise<void> {
  // Last line of defence: if the event loop runs dry while main() is still pending (a promise nobody
  // settles), Node would end with exit code 13 and no word; say what happened and fail like any failure.
  let finished = false;
  const EXIT_GRACE_MS = 10_000;
  // An interrupted run has cleaned up and said so; what is left is the work the signal asked to stop,
  // such as a MongoDB driver's monitor waiting connectTimeoutMS on a server that never answered its
  // handshake (closing the client does not end that wait). A moment for sockets to flush, no more.
  // (130: EXIT.interrupted, not imported: bin.ts loads only what starting needs.)
  const INTERRUPTED_EXIT_GRACE_MS = 200;
  process.on('beforeExit', () => {
    // The loop has run dry after the run: every write and close is done, the archive's included.
    // Ending here skips what a natural end adds after the 'exit' event (the V8 heap's teardown,
    // page by page: 6-10 ms of a small backup in most sets, docs/BENCHMARKS.md "Session 19: smallstart");
    // process.exit() still runs the 'exit' listeners (the code caches are written there).
    if (finished) process.exit();
    process.stderr.write(
      'stowage: internal error: the run stopped without finishing (a stowage bug; please report it)\n',
    );
    process.exit(1);
  });

  // V8 would let its young generation grow to 128 MiB, mostly garbage, in a backup of thousands of tables,
  // and keep a phase's garbage in its old space through the next phase.
  const [{ capYoungGeneration }, { collectAtGarbagePoints }] = await Promise.all([
    import('./young-generation.js'),
    import('./collect-at-garbage-points.js'),
  ]);
  capYoungGeneration();
  collectAtGarbagePoints();
  const { main } = await import('./main.js');
  process.exitCode = await main(args);
  finished = true;
  // The run is over and reported (main's own handlers are gone): a signal now, while connections
  // close and the code caches are written, ends the process with the run's status, not as killed
  // by the signal (130 for a restore that succeeded).
  const endAsReported = () => process.exit();
  process.on('SIGINT', endAsReported);
  process.on('SIGTERM', endAsReported);
  // The run is over and reported. A connection to a server that stopped answering (a stall) can
  // outlive it; it must not keep the process from ending.
  const grace = process.exitCode === 130 ? INTERRUPTED_EXIT_GRACE_MS : EXIT_GRACE_MS;
  setTimeout(() => process.exit(), grace).unref();
}
