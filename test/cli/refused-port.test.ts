// A MongoDB URL whose every host refuses the connection (nothing listens on the port) or does not
// resolve fails at once, as a PostgreSQL one does, instead of after the driver's server selection
// timeout. The URLs ask for a 60 s timeout and the preflight's probe waits 10 s of its own: a run
// that waits for either cannot pass the bound.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { runCli } from './run-cli.js';

const LONG = '?serverSelectionTimeoutMS=60000&connectTimeoutMS=60000';
/** Half the preflight probe's 10 s, ten times what a refusal takes on a loaded 2-core machine. */
const BOUND_MS = 5_000;

let dir: string;
let archive: string;
let refusedPort: number;
const source = uniqueMongoDbName('stowage_refused');

/** A port nothing listens on: bound once by this process, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-refused-'));
  await withMongoClient((c) => c.db(source).collection('a').insertOne({ n: 1 }));
  archive = join(dir, 'm.stow');
  await backup({ source: mongoUrlFor(source), to: archive, preflight: false });
  refusedPort = await closedPort();
});
afterAll(async () => {
  await withMongoClient((c) => c.db(source).dropDatabase());
  await rm(dir, { recursive: true, force: true });
});

describe('MongoDB hosts that refuse or do not resolve', () => {
  const refused = () => `mongodb://127.0.0.1:${refusedPort}/refused${LONG}`;
  it.each([
    [
      'backup (the preflight probe)',
      () => ['backup', refused(), '--to', join(dir, 'repository')],
      'ECONNREFUSED',
    ],
    [
      'backup --no-preflight (the engine)',
      () => ['backup', refused(), '--to', join(dir, 'repository'), '--no-preflight'],
      'ECONNREFUSED',
    ],
    ['restore', () => ['restore', archive, refused(), '--yes'], 'ECONNREFUSED'],
    [
      'backup, every host of a seed list refused',
      () => [
        'backup',
        `mongodb://127.0.0.1:${refusedPort},127.0.0.1:${refusedPort}/refused${LONG}`,
        '--to',
        join(dir, 'repository'),
      ],
      'ECONNREFUSED',
    ],
    [
      'backup, unknown host',
      () => [
        'backup',
        `mongodb://stowage-no-such-host.invalid/refused${LONG}`,
        '--to',
        join(dir, 'repository'),
      ],
      'ENOTFOUND',
    ],
  ])(
    '%s fails at once: one line naming the cause, a hint, exit 1, no archive',
    async (_name, args, cause) => {
      const started = Date.now();
      const run = await runCli(args());
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
      expect(run.code).toBe(1);
      const lines = run.stderr.split('\n');
      const errors = lines.filter((line) => line.startsWith('stowage: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(cause);
      expect(lines[lines.indexOf(errors[0]!) + 1]).toMatch(/^hint: check the host/);
      const left = await readdir(join(dir, 'repository')).catch(() => []);
      expect(left.filter((name) => /\.(stow|partial|lock)$/.test(name))).toEqual([]);
    },
    90_000,
  );
});
