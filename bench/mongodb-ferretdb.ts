import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import {
  findFerretDB,
  findPostgresBinDir,
  freePort,
  postgresIds,
  runAsPostgres,
} from '../test/support/local-servers.js';

/** FerretDB's storage: SQLite files (one writer per database) or a PostgreSQL cluster. */
export type FerretBackend = 'sqlite' | 'postgresql';

export function parseFerretBackend(value: string | undefined): FerretBackend {
  if (value === undefined || value === 'sqlite') return 'sqlite';
  if (value === 'postgresql' || value === 'postgres' || value === 'pg') return 'postgresql';
  throw new Error(`unknown FerretDB backend "${value}": sqlite or postgresql`);
}

export interface BenchFerretDB {
  url: string;
  /** FerretDB's process, and for the postgresql backend its cluster's postmaster: the server's CPU is theirs. */
  pids: number[];
  backend: FerretBackend;
  stop: () => Promise<void>;
}

/**
 * A FerretDB (loopback, telemetry off) in `dir`, for bench runs without a
 * server of their own. With the postgresql backend a private PostgreSQL
 * cluster is made in `dir/pg` too (trust authentication on loopback, fsync
 * off: throwaway data, the same for every tool measured against it).
 */
export async function startBenchFerretDB(
  dir: string,
  backend: FerretBackend = 'sqlite',
): Promise<BenchFerretDB> {
  const bin = findFerretDB();
  if (!bin) throw new Error('no FerretDB 1.24.2 binary found (scripts/install-test-servers.sh installs one)');
  mkdirSync(dir, { recursive: true });
  const postgres = backend === 'postgresql' ? await startBenchPostgres(join(dir, 'pg')) : undefined;
  const port = await freePort();
  const child = spawn(
    bin,
    [
      ...(postgres
        ? ['--handler=postgresql', `--postgresql-url=${postgres.url}`]
        : ['--handler=sqlite', `--sqlite-url=file:${dir}/`]),
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  const url = `mongodb://127.0.0.1:${port}/`;
  for (let i = 0; i < 300; i++) {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      break;
    } catch {
      await sleep(100);
    } finally {
      await client.close().catch(() => {});
    }
  }
  return {
    url,
    pids: [child.pid!, ...(postgres ? [postgres.pid] : [])],
    backend,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      postgres?.stop();
    },
  };
}

/** A throwaway PostgreSQL cluster for FerretDB's postgresql backend; kept in `dir` between runs. */
async function startBenchPostgres(dir: string): Promise<{ url: string; pid: number; stop: () => void }> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('no PostgreSQL binaries found (initdb, pg_ctl) for the postgresql backend');
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  let fresh = false;
  try {
    readFileSync(join(data, 'PG_VERSION'));
  } catch {
    fresh = true;
    runAsPostgres(join(binDir, 'initdb'), [
      ...['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'],
      ...['--no-sync', '--no-instructions'],
    ]);
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        '',
        '# stowage bench: FerretDB backend',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        "max_wal_size = '1GB'",
        '',
      ].join('\n'),
    );
  }
  const port = await freePort();
  const pgCtl = join(binDir, 'pg_ctl');
  runAsPostgres(pgCtl, [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port}`,
    'start',
  ]);
  if (fresh)
    runAsPostgres(join(binDir, 'createdb'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      'ferretdb',
    ]);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/ferretdb`,
    pid,
    stop: () => {
      runAsPostgres(pgCtl, ['-D', data, 'stop', '-m', 'fast', '-w', '-t', '60'], { check: false });
    },
  };
}

/** Clock ticks per second, the unit of /proc/PID/stat's CPU times. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** utime, stime, cutime, cstime (fields 14–17 of /proc/PID/stat) and the parent's pid. */
function readStat(pid: number): { ppid: number; own: number; reaped: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(fields[1]),
    own: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    reaped: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS,
  };
}

/**
 * CPU seconds a server process and its children have used: its own, its
 * children's that have exited and been waited for (a PostgreSQL backend's
 * CPU moves there when its connection closes), and its live children's.
 * The difference of two readings is what the server spent in between.
 */
export function serverCpuSeconds(pid: number): number {
  const root = readStat(pid);
  if (!root) return 0;
  let total = root.own + root.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = readStat(Number(entry));
    if (child?.ppid === pid) total += child.own + child.reaped;
  }
  return total;
}
