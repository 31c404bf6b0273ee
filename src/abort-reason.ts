import { StowageError } from './errors.js';

/**
 * What work ended by `signal` reports: the reason Stowage gave the signal when it gave one (the
 * CLI's `interrupted by SIGINT`, a stall, the daemon stopping), so an interrupt reads the same
 * whichever step it lands in; else an 'interrupted' error naming `what` was stopped.
 */
export function abortReason(signal: AbortSignal, what: string): StowageError {
  const reason: unknown = signal.reason;
  return reason instanceof StowageError ? reason : new StowageError('interrupted', `${what} was cancelled`);
}
