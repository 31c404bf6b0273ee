// A signal after the connection is up but before its settings are applied (the backup's first
// connection, opened alongside a slow preflight) destroys the connection under that query: the
// run was interrupted, and says so, instead of "cannot connect …: Connection terminated" with a
// hint to read the server log.
import { describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { StowageError } from '../../src/errors.js';
import { pgUrl } from '../support/servers.js';

describe('a signal while a new session applies its settings', () => {
  it("ends the open with the signal's reason, not a lost connection", async () => {
    const controller = new AbortController();
    const opening = PgSession.open(parseTarget(pgUrl()), {
      mode: 'backup',
      // Holds the settings' round trip open long enough for the signal to land inside it.
      alongside: 'pg_catalog.pg_sleep(5) AS slept',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new StowageError('interrupted', 'interrupted by SIGINT')), 500);
    const error = await opening.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StowageError);
    expect((error as StowageError).code).toBe('interrupted');
    expect((error as StowageError).message).toBe('interrupted by SIGINT');
  }, 20_000);
});
