// Starts PostgreSQL and FerretDB from installed binaries in throwaway folders,
// for the global setup. Runs in vitest's main process only.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import pg from 'pg';

export interface StartedServer {
  url: string;
  /** e.g. `PostgreSQL 15.18`, `FerretDB v1.24.2`. */
  version: string;
  /** Where it runs, for the log line. */
  details: string;
  stop(): Promise<void>;
  /** Last-resort stop for process exit, where nothing async can run. */
  stopSync(): void;
}

const FERRETDB_VERSION = 'v1.24.2';
const ROOT_PREFIX = 'stowage-test-';
const isRoot = process.getuid?.() === 0;

export class ServerUnavailable extends Error {}

/** A port nothing listens on right now; callers retry when they lose the race for it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface RootState {
  ownerPid: number;
  pgBinDir?: string;
  pgData?: string;
  ferretdbPid?: number;
}

/** One folder per test run holding both servers' data, so one rm cleans everything. */
export class HarnessRoot {
  readonly dir: string;
  private state: RootState;

  constructor() {
    HarnessRoot.reapOrphans();
    this.dir = mkdtempSync(join(tmpdir(), ROOT_PREFIX));
    // The postgres user must be able to reach its sub-folder.
    if (isRoot) chmodSync(this.dir, 0o711);
    this.state = { ownerPid: process.pid };
    this.save();
  }

  update(patch: Partial<RootState>): void {
    this.state = { ...this.state, ...patch };
    this.save();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private save(): void {
    writeFileSync(join(this.dir, 'harness.json'), JSON.stringify(this.state));
  }

  /**
   * Stops servers left behind by earlier runs whose vitest process died
   * without teardown (killed by a CI timeout, SIGKILL), so they do not pile up.
   */
  static reapOrphans(): void {
    let entries: string[];
    try {
      entries = readdirSync(tmpdir()).filter((e) => e.startsWith(ROOT_PREFIX));
    } catch {
      return;
    }
    for (const entry of entries) {
      const dir = join(tmpdir(), entry);
      let state: RootState;
      try {
        state = JSON.parse(readFileSync(join(dir, 'harness.json'), 'utf8')) as RootState;
      } catch {
        continue;
      }
      if (pidAlive(state.ownerPid)) continue;
      // Best effort: leftovers of another user's run may not be ours to remove.
      try {
        if (state.ferretdbPid && isOurFerretDB(state.ferretdbPid, dir))
          process.kill(state.ferretdbPid, 'SIGKILL');
        if (state.pgBinDir && state.pgData && existsSync(join(state.pgData, 'postmaster.pid'))) {
          runAsPostgres(
            join(state.pgBinDir, 'pg_ctl'),
            ['-D', state.pgData, 'stop', '-m', 'immediate', '-w'],
            {
              check: false,
            },
          );
        }
        rmSync(dir, { recursive: true, force: true });
        console.log(`[stowage-test] removed leftovers of an earlier run: ${dir}`);
      } catch (error) {
        console.warn(
          `[stowage-test] could not remove leftovers of an earlier run in ${dir}: ${String(error)}`,
        );
      }
    }
  }
}

function isOurFerretDB(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('ferretdb') && cmdline.includes(dir);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- PostgreSQL

export function findPostgresBinDir(): string | undefined {
  // An explicit choice is not second-guessed by falling back to other installs.
  const fromEnv = process.env.STOWAGE_PG_BIN_DIR;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const base = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb')));
  } catch {}
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  if (versions[0]) return join(base, versions[0], 'bin');
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** PostgreSQL refuses to run as root, so as root its commands run as the postgres user. */
export function runAsPostgres(
  command: string,
  args: string[],
  { check = true, timeoutMs = 120_000 }: { check?: boolean; timeoutMs?: number } = {},
): { status: number | null; output: string } {
  let file = command;
  let argv = args;
  if (isRoot) {
    if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser')) {
      file = 'runuser';
      argv = ['-u', 'postgres', '--', command, ...args];
    } else {
      file = 'su';
      argv = ['postgres', '-s', '/bin/sh', '-c', [command, ...args].map(shellQuote).join(' ')];
    }
  }
  const result = spawnSync(file, argv, {
    encoding: 'utf8',
    timeout: timeoutMs,
    // pg_ctl's postmaster inherits these; keep it out of our process group's stdin.
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  const output =
    `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim();
  if (check && result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${output}`);
  }
  return { status: result.status, output };
}

export function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** `settings`: more postgresql.conf lines, after (so overriding) the harness's own. */
export async function startLocalPostgres(
  root: HarnessRoot,
  binDir: string,
  settings: string[] = [],
): Promise<StartedServer> {
  const dir = join(root.dir, 'pg');
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  mkdirSync(dir, { mode: 0o700 });
  if (isRoot) {
    let ids: { uid: number; gid: number };
    try {
      ids = postgresIds();
    } catch {
      throw new ServerUnavailable(
        "running as root, but there is no 'postgres' user to run PostgreSQL as (install Debian's postgresql package)",
      );
    }
    chownSync(dir, ids.uid, ids.gid);
  }

  // Hex so the password needs no escaping in URLs.
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot) {
    const { uid, gid } = postgresIds();
    chownSync(pwfile, uid, gid);
  }
  runAsPostgres(join(binDir, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  rmSync(pwfile, { force: true });
  // Durability is worthless for a throwaway test cluster; speed is not.
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      '',
      '# stowage test harness',
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'max_connections = 100',
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      "max_wal_size = '1GB'",
      // Continuous backup (follow) reads changes through logical decoding.
      'wal_level = logical',
      'max_replication_slots = 20',
      'max_wal_senders = 20',
      ...settings,
      '',
    ].join('\n'),
  );
  root.update({ pgBinDir: binDir, pgData: data });

  const pgCtl = join(binDir, 'pg_ctl');
  let port = 0;
  for (let tryNo = 1; ; tryNo++) {
    port = await freePort();
    const started = runAsPostgres(
      pgCtl,
      ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port}`, 'start'],
      {
        check: false,
      },
    );
    if (started.status === 0) break;
    const why = tail(log);
    // Another process may have taken the port between freePort() and the bind.
    if (tryNo < 5 && /could not bind|already in use/i.test(why)) continue;
    throw new Error(`PostgreSQL did not start (pg_ctl: ${started.output}); server log:\n${why}`);
  }

  const stopArgs = (mode: string) => ['-D', data, 'stop', '-m', mode, '-w', '-t', '60'];
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let version: string;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const res = await client.query<{ server_version: string }>('SHOW server_version');
    version = `PostgreSQL ${res.rows[0]?.server_version ?? '?'}`;
  } catch (error) {
    runAsPostgres(pgCtl, stopArgs('immediate'), { check: false });
    throw error;
  } finally {
    await client.end().catch(() => {});
  }

  let stopped = false;
  return {
    url,
    version,
    details: `127.0.0.1:${port}, binaries ${binDir}, data ${data}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      runAsPostgres(pgCtl, stopArgs('fast'), { check: false });
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      runAsPostgres(pgCtl, stopArgs('immediate'), { check: false });
    },
  };
}

// ------------------------------------------------------------------ FerretDB

/** Where scripts/install-test-servers.sh may have put the binary when /usr/local/bin was not writable. */
function ferretdbCacheBin(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stowage', 'bin', 'ferretdb');
}

export function findFerretDB(): string | undefined {
  const candidates = [
    process.env.STOWAGE_FERRETDB_BIN,
    ...(process.env.PATH ?? '')
      .split(':')
      .filter(Boolean)
      .map((d) => join(d, 'ferretdb')),
    join(homedir(), 'go', 'bin', 'ferretdb'),
    '/usr/local/bin/ferretdb',
    ferretdbCacheBin(),
  ];
  const seen: string[] = [];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    const result = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    const version = /^version:\s*(\S+)/m.exec(result.stdout ?? '')?.[1];
    if (result.status === 0 && version === FERRETDB_VERSION) return candidate;
    seen.push(`${candidate} (${version ?? `does not run: ${(result.stderr ?? '').split('\n')[0]}`})`);
  }
  if (seen.length > 0) {
    console.warn(
      `[stowage-test] ignoring FerretDB binaries that are not a working ${FERRETDB_VERSION}: ${seen.join(', ')}`,
    );
  }
  return undefined;
}

export async function startLocalFerretDB(root: HarnessRoot, bin: string): Promise<StartedServer> {
  const dir = join(root.dir, 'ferretdb');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const log = join(dir, 'ferretdb.log');

  for (let tryNo = 1; ; tryNo++) {
    const port = await freePort();
    const logFd = openSync(log, 'a');
    const child = spawn(
      bin,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${data}/`,
        `--state-dir=${dir}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--telemetry=disable',
        // '-' turns off the debug/metrics HTTP listener, which otherwise binds
        // the fixed 127.0.0.1:8088 and collides between parallel runs.
        '--debug-addr=-',
        '--log-level=warn',
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    root.update({ ferretdbPid: child.pid });
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = `exit ${code ?? signal}`;
    });

    const url = `mongodb://127.0.0.1:${port}/`;
    const deadline = Date.now() + 60_000;
    let lastError: unknown;
    let buildInfo: { ferretdbVersion?: string } | undefined;
    while (!exited && Date.now() < deadline) {
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
      try {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
        buildInfo = await client.db('admin').command({ buildInfo: 1 });
        break;
      } catch (error) {
        lastError = error;
        await sleep(200);
      } finally {
        await client.close().catch(() => {});
      }
    }
    if (!buildInfo) {
      child.kill('SIGKILL');
      const why = tail(log);
      if (exited && tryNo < 5 && /address already in use/i.test(why)) continue;
      throw new Error(
        `FerretDB did not answer on ${url} (${exited ?? `last error: ${String(lastError)}`}); log:\n${why}`,
      );
    }

    const stopSync = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    return {
      url,
      version: `FerretDB ${buildInfo.ferretdbVersion ?? '?'}`,
      details: `127.0.0.1:${port}, SQLite backend in ${data}, binary ${bin}`,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      },
      stopSync,
    };
  }
}
