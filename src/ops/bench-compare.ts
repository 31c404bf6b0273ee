import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from '../engines/engine.js';
import { passwordOf, passwordSecrets, redactSecrets } from '../redact.js';

/**
 * `stowage bench --compare`: times the database's own dump tool on the same
 * database, for a side-by-side figure. Stowage never uses these tools for
 * backups; this only runs them when the user asks and they are on the PATH.
 */

/** One run of a native dump tool. */
export interface CompareRun {
  tool: string;
  /** False when the tool is not on the PATH (then nothing else is set). */
  found: boolean;
  seconds?: number;
  /** Size of what it wrote. */
  bytes?: number;
  /** Its first error line, password removed, when it failed. */
  error?: string;
}

/** Runs pg_dump -Fc (PostgreSQL) or mongodump --archive --gzip (MongoDB) into a temporary file, timed. */
export async function timeNativeDump(
  engine: EngineName,
  url: string,
  signal?: AbortSignal,
): Promise<CompareRun> {
  const tool = engine === 'postgres' ? 'pg_dump' : 'mongodump';
  const dir = await mkdtemp(join(tmpdir(), 'stowage-bench-'));
  const file = join(dir, 'dump');
  const password = passwordOf(url);
  // The password never goes on the process list: pg_dump takes it from the environment,
  // mongodump from a private config file (its --config holds uri and password values).
  let mongoArgs: string[] = [];
  if (engine !== 'postgres') {
    const config = join(dir, 'mongodump.yaml');
    await writeFile(config, `uri: ${JSON.stringify(url)}\n`, { mode: 0o600 });
    mongoArgs = [`--config=${config}`, `--archive=${file}`, '--gzip', '--quiet'];
  }
  const args =
    engine === 'postgres' ? ['-Fc', '-f', file, '-d', password ? withoutPassword(url) : url] : mongoArgs;
  const env = {
    ...process.env,
    ...(engine === 'postgres' && password ? { PGPASSWORD: decodeURIComponent(password) } : {}),
  };
  const started = performance.now();
  try {
    const outcome = await new Promise<{ code: number | null; stderr: string; missing: boolean }>(
      (resolve) => {
        const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'], signal });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          if (stderr.length < 4096) stderr += d.toString();
        });
        child.on('error', (err: NodeJS.ErrnoException) =>
          resolve({ code: null, stderr: err.message, missing: err.code === 'ENOENT' }),
        );
        child.on('close', (code) => resolve({ code, stderr, missing: false }));
      },
    );
    if (outcome.missing) return { tool, found: false };
    const seconds = (performance.now() - started) / 1000;
    if (outcome.code !== 0) {
      const line = outcome.stderr.trim().split('\n')[0] ?? `exit code ${outcome.code}`;
      return { tool, found: true, error: redactSecrets(line, passwordSecrets(url)) };
    }
    return { tool, found: true, seconds, bytes: (await stat(file)).size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1@');
}
