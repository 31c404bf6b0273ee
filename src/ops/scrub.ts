import { StowageError } from '../errors.js';
import { passwordOf, passwordSecrets, redactSecrets } from '../redact.js';

/** Makes sure no error leaving the library carries the connection password. */
export function scrub(err: unknown, url: string): unknown {
  const password = passwordOf(url);
  if (!password || !(err instanceof Error)) return err;
  err.message = redactSecrets(err.message, passwordSecrets(url));
  if (err instanceof StowageError && err.hint) {
    Object.defineProperty(err, 'hint', { value: redactSecrets(err.hint, [password]) });
  }
  return err;
}
