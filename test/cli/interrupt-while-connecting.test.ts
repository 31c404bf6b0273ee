// Ctrl-C while the first connection waits on a server that accepts and never answers (a host that
// drops packets behind a proxy, a hung load balancer): the command ends at once with the usual
// interrupt line and exit 130, instead of after connect_timeout (PostgreSQL) or the server
// selection timeout (MongoDB), and leaves no archive behind. Without a signal, the same server
// gets a one-line error with a hint within the default timeouts.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { until } from '../support/until.js';
import { startCli } from '../torture/cli-process.js';

let dir: string;
let source: TestPgDatabase;
let archive: string;
let mongoArchive: string;
const mongoSource = uniqueMongoDbName('stowage_connect_interrupt');
let silent: Server;
let silentUrl: (database: string) => string;
let silentMongoUrl: (database: string, query?: string) => string;
const accepted = new Set<Socket>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-connect-interrupt-'));
  source = await createPgDatabase('stowage_connect_interrupt');
  await withPgClient(source.url, (c) =>
    c.query('CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (1)'),
  );
  archive = join(dir, 'a.stow');
  await backup({ source: source.url, to: archive, preflight: false });
  await withMongoClient((c) => c.db(mongoSource).collection('a').insertOne({ n: 1 }));
  mongoArchive = join(dir, 'm.stow');
  await backup({ source: mongoUrlFor(mongoSource), to: mongoArchive, preflight: false });
  // Accepts, reads, never answers.
  silent = createServer((socket) => {
    accepted.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => accepted.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  // A long connect_timeout: a run that waits for it cannot pass within the bound below.
  silentUrl = (database) => `postgres://stowage@127.0.0.1:${port}/${database}?connect_timeout=120`;
  silentMongoUrl = (database, query = '?serverSelectionTimeoutMS=120000&connectTimeoutMS=120000') =>
    `mongodb://127.0.0.1:${port}/${database}${query}`;
});
afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await source?.drop();
  await withMongoClient((c) => c.db(mongoSource).dropDatabase());
  await rm(dir, { recursive: true, force: true });
});

/** How the run ended, or 'still running' (and then killed) when it had not within `ms`. */
async function exitWithin(run: ReturnType<typeof startCli>, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    run.exit,
    new Promise<'still running'>((resolve) => {
      timer = setTimeout(() => resolve('still running'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
  if (ended === 'still running') run.child.kill('SIGKILL');
  return ended;
}

describe('a signal while the first connection gets no answer', () => {
  it.each([
    ['backup', () => ['backup', silentUrl('silent'), '--to', join(dir, 'repository')]],
    ['restore --create', () => ['restore', archive, silentUrl('silent_copy'), '--create', '--yes']],
    ['restore', () => ['restore', archive, silentUrl('silent_copy'), '--yes']],
    ['mongodb backup', () => ['backup', silentMongoUrl('silent'), '--to', join(dir, 'repository')]],
    ['mongodb restore', () => ['restore', mongoArchive, silentMongoUrl('silent_copy'), '--yes']],
  ])(
    '%s ends at once: exit 130, one line, no archive',
    async (_name, args) => {
      const before = accepted.size;
      const run = startCli(args());
      await until(() => accepted.size > before, 'a connection to the silent server', 60_000);
      run.child.kill('SIGINT');
      const ended = await exitWithin(run, 8_000);
      expect(ended).toEqual({ code: 130, signal: null });
      const errors = run
        .output()
        .stderr.split('\n')
        .filter((line) => line.startsWith('stowage: '));
      expect(errors).toEqual(['stowage: interrupted by SIGINT']);
      const left = await readdir(join(dir, 'repository')).catch(() => []);
      expect(left.filter((name) => /\.(stow|partial|lock)$/.test(name))).toEqual([]);
    },
    120_000,
  );
});

describe('a MongoDB server that never answers, without a signal', () => {
  it.each([
    ['backup', () => ['backup', silentMongoUrl('silent', ''), '--to', join(dir, 'repository')]],
    ['restore', () => ['restore', mongoArchive, silentMongoUrl('silent_copy', ''), '--yes']],
  ])(
    '%s fails within the default timeouts: one line and a hint, exit 1',
    async (_name, args) => {
      const run = startCli(args());
      const ended = await exitWithin(run, 40_000);
      expect(ended).toEqual({ code: 1, signal: null });
      const lines = run.output().stderr.split('\n');
      const errors = lines.filter((line) => line.startsWith('stowage: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^stowage: cannot (connect to|reach MongoDB at) .*127\.0\.0\.1:\d+.*timed out/,
      );
      expect(lines[lines.indexOf(errors[0]!) + 1]).toMatch(/^hint: check the host/);
    },
    60_000,
  );
});
