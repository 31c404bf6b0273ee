import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from '../engines/engine.js';
import { enginePlugin } from '../engines/registry.js';
import { redactConnection } from '../redact.js';
import { dropDatabase } from './database-probe.js';
import { dbnameArgument, libpqConnection } from './libpq-environment.js';

/**
 * `stowage bench --compare`: times the database's own dump tool on the same
 * database, and with --restore-into its restore tool into the same scratch
 * database, for a side-by-side figure. Stowage never uses these tools for
 * backups; this only runs them when the user asks and they are on the PATH.
 */

/** One run of a native dump tool, and of its restore tool when asked. */
export interface CompareRun {
  tool: string;
  /** False when the tool is not on the PATH (then nothing else is set). */
  found: boolean;
  seconds?: number;
  /** Size of what it wrote. */
  bytes?: number;
  /** Its first error line, password removed, when it failed. */
  error?: string;
  /**
   * The restore tool on the whole dump (not a sample), into the scratch
   * database, which it creates (`createdb` first for PostgreSQL) and which is
   * dropped afterwards.
   */
  restore?: { tool: string; found: boolean; seconds?: number; error?: string };
}

interface ToolRun {
  code: number | null;
  stderr: string;
  missing: boolean;
}

/**
 * Runs pg_dump -Fc (PostgreSQL) or mongodump --archive --gzip (MongoDB) into a
 * temporary file, timed; with `scratch`, then createdb + pg_restore -j
 * (PostgreSQL) or mongorestore (MongoDB) of that file into it, timed.
 */
export async function timeNativeDump(
  engine: EngineName,
  url: string,
  signal?: AbortSignal,
  scratch?: { url: string; jobs: number },
): Promise<CompareRun> {
  const tool = engine === 'postgres' ? 'pg_dump' : 'mongodump';
  const dir = await mkdtemp(join(tmpdir(), 'stowage-bench-'));
  const file = join(dir, 'dump');
  try {
    const started = performance.now();
    let outcome: ToolRun;
    if (engine === 'postgres') {
      const source = libpqConnection(url);
      outcome = await runTool(tool, ['-Fc', '-f', file, '-d', dbnameArgument(source.database)], {
        url,
        env: source.env,
        signal,
      });
    } else {
      const args = [
        `--config=${await mongoConfig(dir, 'dump', url)}`,
        `--archive=${file}`,
        '--gzip',
        '--quiet',
      ];
      outcome = await runTool(tool, args, { url, signal });
    }
    if (outcome.missing) return { tool, found: false };
    const seconds = (performance.now() - started) / 1000;
    if (outcome.code !== 0) return { tool, found: true, error: firstLine(outcome, url) };
    const run: CompareRun = { tool, found: true, seconds, bytes: (await stat(file)).size };
    if (scratch) run.restore = await timeNativeRestore(engine, url, file, dir, scratch, signal);
    return run;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeNativeRestore(
  engine: EngineName,
  source: string,
  file: string,
  dir: string,
  scratch: { url: string; jobs: number },
  signal?: AbortSignal,
): Promise<NonNullable<CompareRun['restore']>> {
  const plugin = enginePlugin(engine);
  const target = plugin.databaseOfUrl(scratch.url);
  const tool = engine === 'postgres' ? 'createdb + pg_restore' : 'mongorestore';
  const from = plugin.databaseOfUrl(source);
  if (!target || (engine !== 'postgres' && !from)) {
    return { tool, found: true, error: 'the source and scratch URLs must each name a database' };
  }
  const started = performance.now();
  try {
    let outcome: ToolRun;
    if (engine === 'postgres') {
      // The scratch database does not exist yet: createdb reaches the server through the maintenance
      // database, on the same host, port and credentials as the scratch string (URL or key=value).
      const { env } = libpqConnection(scratch.url);
      const connection = { url: scratch.url, env, signal };
      outcome = await runTool(
        'createdb',
        [`--maintenance-db=${dbnameArgument('postgres')}`, target],
        connection,
      );
      if (outcome.code === 0 && !outcome.missing) {
        const args = [
          '-j',
          String(scratch.jobs),
          '--no-owner',
          '--no-acl',
          '-d',
          dbnameArgument(target),
          file,
        ];
        outcome = await runTool('pg_restore', args, connection);
      }
    } else {
      const config = await mongoConfig(dir, 'restore', scratch.url);
      const args = [`--config=${config}`, `--archive=${file}`, '--gzip', '--quiet'];
      args.push(`--nsFrom=${from}.*`, `--nsTo=${target}.*`, `--nsInclude=${from}.*`);
      outcome = await runTool('mongorestore', args, { url: scratch.url, signal });
    }
    if (outcome.missing) return { tool, found: false };
    if (outcome.code !== 0) return { tool, found: true, error: firstLine(outcome, scratch.url) };
    return { tool, found: true, seconds: (performance.now() - started) / 1000 };
  } finally {
    await dropDatabase(scratch.url).catch(() => {});
  }
}

/**
 * Runs a tool with `env` (PostgreSQL: the connection as PG* variables, the
 * password never on the process list); `url` is for removing the password from errors.
 */
function runTool(
  tool: string,
  args: string[],
  run: { url: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined },
): Promise<ToolRun> {
  return new Promise<ToolRun>((resolve) => {
    const child = spawn(tool, args, {
      env: run.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
      signal: run.signal,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ code: null, stderr: err.message, missing: err.code === 'ENOENT' }),
    );
    child.on('close', (code) => resolve({ code, stderr, missing: false }));
  });
}

/** mongodump/mongorestore take the URI, password included, from a private config file. */
async function mongoConfig(dir: string, name: string, url: string): Promise<string> {
  const config = join(dir, `${name}.yaml`);
  await writeFile(config, `uri: ${JSON.stringify(url)}\n`, { mode: 0o600 });
  return config;
}

function firstLine(outcome: ToolRun, url: string): string {
  const line = outcome.stderr.trim().split('\n')[0] || `exit code ${outcome.code}`;
  return redactConnection(line, url);
}
