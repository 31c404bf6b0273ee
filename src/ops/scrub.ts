import { StowageError } from '../errors.js';
import { passwordOf, redactConnection } from '../redact.js';

/** Makes sure no error leaving the library carries the connection password. */
export function scrub(err: unknown, url: string): unknown {
  if (!passwordOf(url) || !(err instanceof Error)) return err;
  err.message = redactConnection(err.message, url);
  if (err instanceof StowageError && err.hint) {
    Object.defineProperty(err, 'hint', { value: redactConnection(err.hint, url) });
  }
  return err;
}
