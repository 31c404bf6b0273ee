import { passwordOf } from '../redact.js';

/**
 * The warning for a database password given in a URL on the command line,
 * where every local user can read it in the process list (`ps`, /proc). A URL
 * from the environment or a config file never reaches this: only the CLI's
 * own arguments are checked.
 *
 * @returns the warning line, or undefined when the URL holds no password.
 */
export function passwordOnCommandLine(url: string | undefined, what: string): string | undefined {
  if (!url || !hasPassword(url)) return undefined;
  return `the ${what} URL holds a password on the command line, where other users of this machine can read it in the process list; leave it out and use PGPASSWORD or ~/.pgpass (PostgreSQL), or the daemon's config file with \${VAR} (see README, "Passwords")`;
}

function hasPassword(url: string): boolean {
  return passwordOf(url) !== undefined;
}
