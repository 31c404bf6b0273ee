import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { findFerretDB, freePort } from '../test/support/local-servers.js';

/** A FerretDB (SQLite backend, loopback, telemetry off) in `dir`, for bench runs without a server of their own. */
export async function startBenchFerretDB(
  dir: string,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const bin = findFerretDB();
  if (!bin) throw new Error('no FerretDB 1.24.2 binary found (scripts/install-test-servers.sh installs one)');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
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
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
