// A backup locks every table it copies until it ends, as pg_dump does, so a
// database of more tables than the server's lock table holds fails with
// PostgreSQL's "out of shared memory". The error must say what to change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { StowageError } from '../../src/errors.js';
import {
  findPostgresBinDir,
  HarnessRoot,
  type StartedServer,
  startLocalPostgres,
} from '../support/local-servers.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { pgUrlFor, withPgClient } from '../support/pg.js';

/** Far more than the lock table of the server below holds (10 × 25 slots, plus its slack). */
const TABLES = 1500;

const pgBin = findPostgresBinDir();
describe.skipIf(!pgBin)('a PostgreSQL whose lock table is too small for the backup', () => {
  let root: HarnessRoot;
  let server: StartedServer;
  let url: string;

  beforeAll(async () => {
    root = new HarnessRoot();
    server = await startLocalPostgres(root, pgBin!, [
      'max_locks_per_transaction = 10',
      'max_connections = 25',
      'max_wal_senders = 5',
    ]);
    await withPgClient(server.url, (c) => c.query('CREATE DATABASE many'));
    url = pgUrlFor('many', server.url);
    // Fifty tables a transaction: creating them takes locks too.
    await withPgClient(url, async (c) => {
      for (let from = 1; from <= TABLES; from += 50) {
        await c.query(`DO $$ BEGIN FOR i IN ${from}..${from + 49} LOOP
          EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, v text)', 't' || i);
        END LOOP; END $$`);
      }
    });
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    root?.remove();
  });

  it('fails with one line that says to raise max_locks_per_transaction', async () => {
    const err = await postgresEngine
      .backup({ url, streams: new MemoryStreams(), jobs: 2, options: {}, progress: () => {} })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(StowageError);
    const e = err as StowageError;
    expect(e.code).toBe('pg-out-of-locks');
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/raise max_locks_per_transaction on the server/);
    expect(e.message).toContain('out of shared memory');
    expect(e.hint).toMatch(/max_locks_per_transaction/);
  }, 120_000);
});
