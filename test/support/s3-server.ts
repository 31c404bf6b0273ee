// Global setup entry for the S3 repository tests: gives every test an
// S3-compatible endpoint. From the environment when STOWAGE_TEST_S3_ENDPOINT
// is set (with STOWAGE_TEST_S3_ACCESS_KEY / STOWAGE_TEST_S3_SECRET_KEY);
// otherwise a MinIO server (scripts/install-minio.sh builds it) started here
// on a free port in a temporary folder, and stopped at the end. No server
// fails the run with a message saying how to get one: S3 tests never skip.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestProject } from 'vitest/node';
import { freePort } from './local-servers.js';

export interface S3TestServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** e.g. `MinIO (started locally)`. */
  description: string;
}

declare module 'vitest' {
  interface ProvidedContext {
    stowageS3: S3TestServer;
  }
}

const ROOT_PREFIX = 'stowage-s3-test-';
const log = (line: string) => console.log(`[stowage-test] ${line}`);

/** The MinIO binary: $STOWAGE_MINIO_BIN, then where scripts/install-minio.sh puts it, then PATH. */
export function findMinio(): string | undefined {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const candidates = [
    process.env.STOWAGE_MINIO_BIN,
    process.env.MINIO_DEST ? join(process.env.MINIO_DEST, 'minio') : undefined,
    join(cache, 'stowage', 'bin', 'minio'),
    ...(process.env.PATH ?? '').split(':').map((dir) => join(dir, 'minio')),
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops MinIO servers left by runs whose vitest died without teardown. */
function reapOrphans(): void {
  for (const entry of readdirSync(tmpdir()).filter((e) => e.startsWith(ROOT_PREFIX))) {
    const dir = join(tmpdir(), entry);
    try {
      const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
        ownerPid: number;
        minioPid?: number;
      };
      if (pidAlive(state.ownerPid)) continue;
      if (state.minioPid && readFileSync(`/proc/${state.minioPid}/cmdline`, 'utf8').includes(dir)) {
        process.kill(state.minioPid, 'SIGKILL');
      }
    } catch {
      // No state or no such process: only the folder is left.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitReady(endpoint: string, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${endpoint}/minio/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  const tail = existsSync(logFile)
    ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n')
    : '';
  throw new Error(
    `MinIO did not become ready at ${endpoint}${child.exitCode !== null ? ` (exited ${child.exitCode})` : ''}:\n${tail}`,
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.STOWAGE_TEST_S3_ENDPOINT;
  if (fromEnv) {
    const server: S3TestServer = {
      endpoint: fromEnv,
      accessKeyId: process.env.STOWAGE_TEST_S3_ACCESS_KEY ?? process.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.STOWAGE_TEST_S3_SECRET_KEY ?? process.env.AWS_SECRET_ACCESS_KEY ?? '',
      region: process.env.STOWAGE_TEST_S3_REGION ?? 'us-east-1',
      description: 'from STOWAGE_TEST_S3_ENDPOINT',
    };
    log(`S3: using ${fromEnv} from STOWAGE_TEST_S3_ENDPOINT`);
    project.provide('stowageS3', server);
    return async () => {};
  }
  const bin = findMinio();
  if (!bin) {
    throw new Error(
      'No S3-compatible server for the tests: run scripts/install-minio.sh (builds MinIO with Go), or set STOWAGE_TEST_S3_ENDPOINT with STOWAGE_TEST_S3_ACCESS_KEY / STOWAGE_TEST_S3_SECRET_KEY',
    );
  }
  reapOrphans();
  const dir = mkdtempSync(join(tmpdir(), ROOT_PREFIX));
  const credentials = { accessKeyId: 'stowage-test', secretAccessKey: `secret-${process.pid}-${Date.now()}` };
  let child: ChildProcess | undefined;
  let endpoint = '';
  const logFile = join(dir, 'minio.log');
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    const port = await freePort();
    const consolePort = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    const out = openSync(logFile, 'a');
    const started = spawn(
      bin,
      [
        'server',
        join(dir, 'data'),
        '--address',
        `127.0.0.1:${port}`,
        '--console-address',
        `127.0.0.1:${consolePort}`,
        '--quiet',
      ],
      {
        env: {
          ...process.env,
          MINIO_ROOT_USER: credentials.accessKeyId,
          MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
          MINIO_CALLHOME_ENABLE: 'off',
          // A built-in KMS key, so server-side encryption (SSE-S3, SSE-KMS) can be tested.
          MINIO_KMS_SECRET_KEY: `stowage-test-key:${randomBytes(32).toString('base64')}`,
        },
        stdio: ['ignore', out, out],
      },
    );
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ ownerPid: process.pid, minioPid: started.pid }));
    try {
      await waitReady(endpoint, started, logFile);
      child = started;
    } catch (error) {
      started.kill('SIGKILL');
      // Another process may have taken the port between freePort() and the bind: try another.
      if (attempt === 2) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const stopSync = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  log(`S3: started MinIO (${bin}) at ${endpoint}`);
  project.provide('stowageS3', {
    endpoint,
    ...credentials,
    region: 'us-east-1',
    description: 'MinIO started locally',
  });
  return async () => {
    process.off('exit', stopSync);
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    log('S3: stopped MinIO');
  };
}
