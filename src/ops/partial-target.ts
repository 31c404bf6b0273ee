import type { Engine, WrittenTarget } from '../engines/engine.js';
import { StowageError } from '../errors.js';

/**
 * A restore that failed or was interrupted after it began writing leaves part of the archive in
 * its target, which whoever finds it may take for a restored database. A database this run
 * created (`--create`) is dropped, unless the user keeps it (`--keep-failed`); one that existed
 * before the run is the user's and is never dropped: the error says it is partly restored and
 * how to start over. Returns the error to report, saying which of these happened.
 */
export async function settlePartialTarget(
  err: unknown,
  { engine, url, written, keep }: { engine: Engine; url: string; written: WrittenTarget; keep: boolean },
): Promise<StowageError> {
  const failure =
    err instanceof StowageError
      ? err
      : new StowageError('internal', err instanceof Error ? err.message : String(err), undefined, {
          cause: err,
        });
  const { database, created, startOver } = written;
  if (!created || keep || !engine.dropCreatedTarget) {
    return amended(
      failure,
      created
        ? `database "${database}", which this restore created, is kept as it is: it is only partly restored`
        : `"${database}" is partly restored`,
      // Whatever the failure's own advice, the target needs replacing before it is whole.
      !failure.hint
        ? `restore again, and ${startOver}`
        : STARTS_OVER.test(failure.hint)
          ? failure.hint
          : `${failure.hint}, and ${startOver}`,
    );
  }
  try {
    // Its own bound: the restore's signal has fired already when an interrupt brought it here.
    await engine.dropCreatedTarget(url, AbortSignal.timeout(DROP_BOUND_MS));
  } catch (dropErr) {
    return amended(failure, dropErr instanceof Error ? dropErr.message : String(dropErr), failure.hint);
  }
  return amended(
    undone(failure),
    `dropped database "${database}", which this restore had created (nothing of it is kept); pass --keep-failed to keep it`,
    // The engine's advice to restore again over what was applied (--clean) no longer fits.
    failure.hint && !STARTS_OVER.test(failure.hint)
      ? failure.hint
      : failure.code === 'interrupted'
        ? 'run the same restore again'
        : 'fix the cause and run the same restore again',
  );
}

/** A hint that already says how to replace what a restore wrote (the engines' flags for it). */
const STARTS_OVER = /--clean|--drop/;

/** Opening a session and the drop's own statements (each bounded by the engine) fit well within this. */
const DROP_BOUND_MS = 60_000;

/**
 * The engines' account of what a failed restore wrote, at the end of its message (PostgreSQL's
 * restore ledger: `…; already applied: pre-data 3/3 objects, data 6/22 tables (…)`).
 */
const APPLIED = /; already applied: ([^;]*)$/;

/**
 * `err` reworded for a target that was dropped: what was applied is then undone, and "already
 * applied" next to "dropped" read as if the counts were still in the server.
 */
function undone(err: StowageError): StowageError {
  const message = err.message.replace(APPLIED, (_, what: string) =>
    what === 'nothing' ? '; nothing was applied yet' : `; applied ${what} before it failed`,
  );
  return message === err.message
    ? err
    : new StowageError(err.code, message, err.hint, { cause: err.cause ?? err });
}

function amended(err: StowageError, note: string, hint: string | undefined): StowageError {
  return new StowageError(err.code, `${err.message}; ${note}`, hint, { cause: err.cause ?? err });
}
