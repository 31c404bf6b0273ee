// Starts any cached PostgreSQL major version on demand for the version matrix
// (test/versions/). The builds are fetched by scripts/install-pg-versions.sh
// into ~/.cache/stowage/pg/<version>; Debian's server counts as one more.
// Each version is initialised once into a template data folder that later runs
// copy, because initdb costs far more than a copy of a fresh cluster.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, postgresIds, runAsPostgres } from './local-servers.js';

/** A server build the harness can start. */
export interface PgInstall {
  /** Major version as PostgreSQL names it: `9.6`, `10`, … `18`. */
  major: string;
  /** Full version of the build, e.g. `9.6.24`. */
  version: string;
  /** Folder holding initdb, pg_ctl, postgres. */
  binDir: string;
}

/** A running private server. */
export interface RunningPg {
  install: PgInstall;
  /** Superuser URL to the `postgres` database (trust authentication, no password). */
  url: string;
  /** `server_version_num`. */
  versionNum: number;
  /** Stops the server (fast: sessions are cut) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** Where scripts/install-pg-versions.sh unpacks the builds. */
export function pgVersionsCache(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stowage', 'pg');
}

/** Shared between runs so templates are reused; under /tmp so the postgres user can reach it. */
const RUNTIME_ROOT = join(tmpdir(), 'stowage-pg-versions');

/** Numeric order of majors (`9.6` < `10`). */
export function majorOrder(major: string): number {
  const [a = '0', b = '0'] = major.split('.');
  return Number(a) >= 10 ? Number(a) * 10 : Number(a) * 10 + Number(b) / 10;
}

function majorOf(version: string): string {
  const [a = '0', b = '0'] = version.split('.');
  return Number(a) >= 10 ? a : `${a}.${b}`;
}

/**
 * Every installed major version, oldest first: the cached builds plus Debian's
 * packaged server for a major no build covers. `STOWAGE_PG_MAJORS` (e.g.
 * `9.6,12,18`) narrows the list.
 */
export function installedPgVersions(): PgInstall[] {
  const byMajor = new Map<string, PgInstall>();
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const major of readdirSync(debian)) {
      const binDir = join(debian, major, 'bin');
      if (existsSync(join(binDir, 'initdb'))) byMajor.set(major, { major, version: major, binDir });
    }
  }
  const cache = pgVersionsCache();
  if (existsSync(cache)) {
    for (const version of readdirSync(cache)) {
      const binDir = join(cache, version, 'bin');
      if (!/^\d/.test(version) || !existsSync(join(binDir, 'postgres'))) continue;
      const major = majorOf(version);
      if (!byMajor.has(major)) byMajor.set(major, { major, version, binDir });
    }
  }
  const wanted = process.env.STOWAGE_PG_MAJORS?.split(',').map((m) => m.trim());
  return [...byMajor.values()]
    .filter((i) => !wanted || wanted.includes(i.major))
    .sort((a, b) => majorOrder(a.major) - majorOrder(b.major));
}

function ensureDir(dir: string, mode: number): void {
  mkdirSync(dir, { recursive: true, mode });
}

/**
 * The build's bin folder as the postgres user can run it. As root the cache
 * under /root is out of that user's reach, so the build is copied once.
 */
function reachableBinDir(install: PgInstall): string {
  if (!isRoot || install.binDir.startsWith('/usr/')) return install.binDir;
  const home = join(RUNTIME_ROOT, install.version, 'install');
  if (existsSync(join(home, 'bin', 'postgres'))) return join(home, 'bin');
  const staging = `${home}.${process.pid}.${randomBytes(3).toString('hex')}`;
  runAsRoot(['cp', '-a', join(install.binDir, '..'), staging]);
  runAsRoot(['chown', '-R', 'postgres:postgres', staging]);
  try {
    runAsRoot(['mv', '-T', staging, home]);
  } catch {
    // Another worker won the race; its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
  }
  return join(home, 'bin');
}

function runAsRoot(argv: string[]): void {
  const [file = '', ...args] = argv;
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
}

/** A data folder initialised once per build, copied by every start. */
function templateData(install: PgInstall, binDir: string): string {
  const template = join(RUNTIME_ROOT, install.version, 'template');
  if (existsSync(join(template, 'PG_VERSION')) && existsSync(join(template, 'stowage-ready')))
    return template;
  const staging = `${template}.${process.pid}.${randomBytes(3).toString('hex')}`;
  // -N: no fsync (every version since 9.3 knows the short form); trust: private sockets only.
  runAsPostgres(join(binDir, 'initdb'), [
    '-D',
    staging,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '-N',
  ]);
  const conf = [
    '',
    '# stowage version matrix',
    "listen_addresses = '127.0.0.1'",
    'max_connections = 40',
    'shared_buffers = 32MB',
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    // Logical decoding exists from 9.4 on; every version the matrix runs has it.
    'wal_level = logical',
    'max_wal_senders = 4',
    'max_replication_slots = 4',
    '',
  ].join('\n');
  runAsPostgres('sh', [
    '-c',
    `printf '%s' "$1" >> "$2/postgresql.conf" && touch "$2/stowage-ready"`,
    'sh',
    conf,
    staging,
  ]);
  try {
    runAsPostgres('mv', ['-T', staging, template]);
  } catch {
    runAsPostgres('rm', ['-rf', staging], { check: false });
  }
  return template;
}

/** Stops servers of earlier runs whose test process died without stopping them. */
function reapOrphans(): void {
  if (!existsSync(RUNTIME_ROOT)) return;
  for (const version of readdirSync(RUNTIME_ROOT)) {
    const runs = join(RUNTIME_ROOT, version, 'runs');
    if (!existsSync(runs)) continue;
    for (const run of readdirSync(runs)) {
      const dir = join(runs, run);
      let owner = 0;
      try {
        owner = Number(readFileSync(join(dir, 'owner'), 'utf8'));
      } catch {}
      if (owner && alive(owner)) continue;
      let ctl: string | undefined;
      try {
        ctl = join(readFileSync(join(dir, 'bindir'), 'utf8'), 'pg_ctl');
      } catch {}
      if (ctl && existsSync(join(dir, 'data', 'postmaster.pid'))) {
        runAsPostgres(ctl, ['-D', join(dir, 'data'), 'stop', '-m', 'immediate', '-w'], { check: false });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts a private server of `install` on a free port, from a copy of its template. */
export async function startPgVersion(install: PgInstall): Promise<RunningPg> {
  ensureDir(RUNTIME_ROOT, 0o711);
  reapOrphans();
  // The postgres user creates the template and run folders in here.
  const versionDir = join(RUNTIME_ROOT, install.version);
  ensureDir(versionDir, 0o755);
  if (isRoot) {
    const { uid, gid } = postgresIds();
    chownSync(versionDir, uid, gid);
  }
  const binDir = reachableBinDir(install);
  const template = templateData(install, binDir);
  const runs = join(RUNTIME_ROOT, install.version, 'runs');
  if (!existsSync(runs)) runAsPostgres('mkdir', ['-p', '-m', '0711', runs]);
  const dir = join(runs, `${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(join(dir, 'owner'), String(process.pid));
  writeFileSync(join(dir, 'bindir'), binDir);
  if (isRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  runAsPostgres('cp', ['-a', template, data]);
  const log = join(dir, 'server.log');
  const pgCtl = join(binDir, 'pg_ctl');
  let port = 0;
  for (let tryNo = 1; ; tryNo++) {
    port = await freePort();
    const started = runAsPostgres(
      pgCtl,
      ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port} -k ${dir}`, 'start'],
      { check: false },
    );
    if (started.status === 0) break;
    let why = '';
    try {
      why = readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
    } catch {}
    if (tryNo < 5 && /could not bind|already in use/i.test(why)) continue;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL ${install.version} did not start (${started.output}):\n${why}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: url });
  let versionNum = 0;
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(`SELECT current_setting('server_version_num') AS n`);
    versionNum = Number(rows[0]?.n);
  } finally {
    await client.end().catch(() => {});
  }
  let stopped = false;
  return {
    install,
    url,
    versionNum,
    async restart() {
      runAsPostgres(pgCtl, [
        '-D',
        data,
        '-l',
        log,
        '-w',
        '-t',
        '60',
        '-m',
        'fast',
        '-o',
        `-p ${port} -k ${dir}`,
        'restart',
      ]);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      runAsPostgres(pgCtl, ['-D', data, 'stop', '-m', 'fast', '-w', '-t', '60'], { check: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
