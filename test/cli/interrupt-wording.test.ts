// Ctrl-C or SIGTERM reads the same wherever it lands: `stowage: interrupted by SIGINT` (or
// SIGTERM), exit 130. A backup stopped once its engine had begun (here: waiting for a table lock
// another session holds) said `backup was cancelled`, one stopped in its preflight `interrupted by
// SIGINT`: two wordings for one event.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementRunning } from '../postgres/support.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { startCli } from '../torture/cli-process.js';

let dir: string;
let source: TestPgDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-interrupt-wording-'));
  source = await createPgDatabase('stowage_interrupt_wording');
  await withPgClient(source.url, (c) => c.query('CREATE TABLE locked_table (id int PRIMARY KEY)'));
});
afterAll(async () => {
  await source?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('an interrupted backup', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while the engine waits for a table lock: one line naming the signal, exit 130`, async () => {
      const holder = new pg.Client({ connectionString: source.url });
      await holder.connect();
      try {
        await holder.query('BEGIN; LOCK TABLE locked_table IN ACCESS EXCLUSIVE MODE');
        const to = join(dir, signal);
        const run = startCli(['backup', source.url, '--to', to]);
        await statementRunning('LOCK TABLE', 'locked_table', true);
        run.child.kill(signal);
        const { code } = await run.exit;
        const errors = run
          .output()
          .stderr.split('\n')
          .filter((l) => l.startsWith('stowage:'));
        expect(errors).toEqual([`stowage: interrupted by ${signal}`]);
        expect(code).toBe(130);
        expect((await readdir(to)).filter((f) => f.endsWith('.stow') || f.endsWith('.partial'))).toEqual([]);
      } finally {
        await holder.end();
      }
    });
  }
});
