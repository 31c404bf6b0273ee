// `stowage restore … --create` stopped by a signal, as a user runs it: a process of its own. The first
// Ctrl-C while CREATE DATABASE waits on the server ends the run at once (exit 130, one line), with the
// statement cancelled on the server and no database left; a signal once the restore has finished
// changes nothing about its success.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { backup } from '../../src/ops/backup.js';
import { StallError } from '../../src/ops/stall-watchdog.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory, DatabasesToCreate, databaseExists, holdName, statementRunning } from './support.js';

let dir: string;
let source: TestPgDatabase;
let archive: string;
const databases = new DatabasesToCreate();
const children: ChildProcess[] = [];

/** Databases the restores create; dropped after the tests whatever happened. */
const toBeCreated = (prefix: string) => databases.next(prefix);
const exists = databaseExists;
/** Backends still running a CREATE DATABASE of `name`. */
const creating = (name: string) =>
  withPgClient(
    pgUrlFor('postgres'),
    async (c) =>
      (
        await c.query(
          `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'CREATE DATABASE%' AND query LIKE '%' || $1 || '%' AND state = 'active'`,
          [name],
        )
      ).rowCount ?? 0,
  );

/** Settles with `work`, or rejects once `ms` pass: a run that hangs fails the test instead of its timeout. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The CLI as a process of its own (through tsx, from the sources); `nodeArgs` go to node. */
function startCli(args: string[], nodeArgs: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'src/cli/bin.ts', ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, STOWAGE_DEBUG: '' },
  });
  children.push(child);
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stdout?.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exit,
    stderr: () => stderr,
    /** Resolves once stderr matches `pattern`. */
    waitFor: (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = () => (pattern.test(stderr) ? resolve() : waiters.push(check));
        check();
        void exit.then(() => reject(new Error(`the process ended before ${pattern}:\n${stderr}`)));
      }),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-create-interrupt-'));
  source = await createPgDatabase('pg_create_int_src');
  await withPgClient(source.url, (c) =>
    c.query(`CREATE TABLE items (id int PRIMARY KEY, note text);
      INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 200) g;`),
  );
  archive = join(dir, 'src.stow');
  await backup({ source: source.url, to: archive, preflight: false });
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await databases.dropAll();
  await source?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('restore --create and signals (CLI process)', () => {
  it('the first SIGINT while CREATE DATABASE waits cancels it: exit 130 at once, one line, no database', async () => {
    const { name, url } = toBeCreated('pg_create_int_sigint');
    const hold = await holdName(name, databases);
    try {
      const run = startCli(['restore', archive, url, '--create', '--yes']);
      await within(
        statementRunning('CREATE DATABASE', name, true),
        30_000,
        'CREATE DATABASE waiting on the held name',
      );
      run.child.kill('SIGINT');
      // The name is still held: a run that waited for CREATE DATABASE to end would not end here.
      const { code } = await within(run.exit, 20_000, 'the interrupted restore');
      expect(code).toBe(130);
      const errors = run
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('stowage: '));
      expect(errors).toEqual(['stowage: interrupted by SIGINT']);
      expect(await creating(name)).toBe(0);
    } finally {
      await hold.release();
    }
    // Released: a CREATE DATABASE still pending on the server would complete now.
    expect(await creating(name)).toBe(0);
    expect(await exists(name)).toBe(false);
  }, 90_000);

  it('a SIGINT once the restore has finished: exit 0, and the restore reported', async () => {
    const { name, url } = toBeCreated('pg_create_int_done');
    // Something keeps the process a while after the run (here a timer; in life a connection
    // closing, or the code caches being written at exit): the signal arrives then, once the run
    // has set its exit status, which this timer watches for and says.
    const linger = `const t = setInterval(() => {
      if (process.exitCode === undefined) return;
      clearInterval(t);
      process.stderr.write('run over\\n');
      setTimeout(() => {}, 30000);
    }, 10);`;
    const run = startCli(
      ['restore', archive, url, '--create', '--yes'],
      ['--import', `data:text/javascript,${encodeURIComponent(linger)}`],
    );
    await within(run.waitFor(/^run over$/m), 60_000, 'the restore');
    expect(run.stderr()).toMatch(/^restored 1 table/m);
    run.child.kill('SIGINT');
    const ended = await within(run.exit, 20_000, 'the finished restore');
    expect(ended).toEqual({ code: 0, signal: null });
    expect(run.stderr()).not.toMatch(/^stowage: /m);
    expect(await exists(name)).toBe(true);
  }, 90_000);
});

describe('restore --create and a stall (engine)', () => {
  it('a stall while CREATE DATABASE waits cancels it: the stall is the error, and no database is left', async () => {
    const { name, url } = toBeCreated('pg_create_int_stall');
    const memory = await backupToMemory(source.url);
    const hold = await holdName(name, databases);
    const controller = new AbortController();
    try {
      const restoring = postgresEngine
        .restore({
          url,
          streams: memory.streams.reader(),
          schema: memory.result.schema,
          jobs: 2,
          options: { create: true },
          progress: () => {},
          signal: controller.signal,
        })
        .catch((e: unknown) => e);
      await within(
        statementRunning('CREATE DATABASE', name, true),
        30_000,
        'CREATE DATABASE waiting on the held name',
      );
      const stall = new StallError('PostgreSQL at test sent nothing for 1 s', 'check the server');
      controller.abort(stall);
      const err = await within(restoring, 20_000, 'the stalled restore');
      expect(err).toBe(stall);
      expect(await creating(name)).toBe(0);
    } finally {
      await hold.release();
    }
    expect(await creating(name)).toBe(0);
    expect(await exists(name)).toBe(false);
  }, 90_000);
});
