import { abortReason as abortReasonOf } from './abort-reason.js';
import type { StowageError } from './errors.js';

/**
 * A connection attempt given up at once when a signal aborts: a host that drops packets, or a
 * server that accepts and never answers, otherwise holds a Ctrl-C for the driver's whole timeout
 * (PostgreSQL's connect_timeout, MongoDB's server selection) and then reports that timeout
 * instead of the interrupt.
 */

/**
 * Waits for `attempt` unless `signal` aborts first; then calls `giveUp` (which drops the driver's
 * socket or closes its client, so nothing is left waiting) and throws the signal's reason when
 * Stowage gave it one (an interrupt, a stall), else an 'interrupted' error.
 */
export async function connectUnlessAborted<T>(
  attempt: () => Promise<T>,
  signal: AbortSignal | undefined,
  giveUp: () => void,
): Promise<T> {
  if (!signal) return attempt();
  if (signal.aborted) throw abortReason(signal);
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(abortReason(signal));
      giveUp();
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([attempt(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** What an attempt ended by `signal` reports: see {@link abortReasonOf}. */
export function abortReason(signal: AbortSignal): StowageError {
  return abortReasonOf(signal, 'connecting');
}
