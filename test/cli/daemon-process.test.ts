// The daemon as operators run it: a real process, stopped with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-daemon-proc-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<void>;
  exit: Promise<number | null>;
}

function startCli(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, STOWAGE_DEBUG: '' },
  });
  children.push(child);
  let output = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(output)) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exit,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(output)) return resolve();
        waiters.push({ pattern, resolve });
        void exit.then(() => reject(new Error(`process exited before ${pattern}:\n${output}`)));
      }),
  };
}

describe('stowage daemon process', () => {
  it('refuses a second daemon on the same repository and stops cleanly on SIGTERM', async () => {
    const repository = join(dir, 'repo');
    const config = join(dir, 'stowage.yaml');
    await writeFile(
      config,
      `jobs:\n  - name: shop\n    source: postgres://app@127.0.0.1:9/shop\n    repository: ${repository}\n    schedule: "0 2 * * *"\nmetrics: { listen: 0 }\n`,
    );
    const first = startCli(['daemon', '--config', config]);
    await first.waitFor(/metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const lock = JSON.parse(await readFile(join(repository, '.stowage/daemon.lock'), 'utf8'));
    expect(lock.pid).toBe(first.child.pid);

    const second = startCli(['daemon', '--config', config]);
    expect(await second.exit).toBe(1);
    expect(second.output()).toMatch(
      /stowage: repository .*repo is in use by another stowage daemon \(pid \d+ on .*\)\nhint: stop that daemon/,
    );

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.output()).toMatch(/SIGTERM: stopping/);
    expect(first.output()).toMatch(/stopped\n$/);
    await expect(readFile(join(repository, '.stowage/daemon.lock'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
