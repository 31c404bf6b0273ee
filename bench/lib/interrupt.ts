const cleanups = new Set<() => Promise<void>>();
let interrupted = false;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  // A second Ctrl-C while cleaning up means "stop now".
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write(`\n${signal}: dropping what this run created …\n`);
  for (const cleanup of [...cleanups].reverse()) {
    await cleanup().catch((err) => process.stderr.write(`cleanup failed: ${(err as Error).message}\n`));
  }
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** Whether a signal is ending the process: work still under way should stop and leave no results. */
export function isInterrupted(): boolean {
  return interrupted;
}

/**
 * Runs `cleanup` if the process is interrupted (Ctrl-C, SIGTERM) before the
 * returned function is called, then exits 130 (143 for SIGTERM). A bench run
 * stopped by hand otherwise leaves its scratch databases and build folders
 * behind, since `finally` blocks do not run when a signal ends the process.
 * Cleanups run newest first.
 */
export function cleanUpOnInterrupt(cleanup: () => Promise<void>): () => void {
  if (cleanups.size === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0 && !interrupted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}
