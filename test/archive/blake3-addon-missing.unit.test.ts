// An archive whose streams carry BLAKE3 digests, read where the BLAKE3 addon
// (@napi-rs/blake-hash, a platform package installed as an optional
// dependency) does not load: one line naming the fix and the `native-addon`
// code, never a report of damage, and a restore refuses before it writes.
// The addon is made to fail as a real install fails, in a child process:
// NAPI_RS_NATIVE_LIBRARY_PATH points napi-rs's loader at a binary that is not there.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBytes, writeArchive } from './helpers.js';

let dir: string;
let archive: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-blake3-missing-'));
  archive = join(dir, 'blake3.stow');
  const bytes = await writeArchive([{ name: 'public.t', data: makeBytes('text', 1, 20_000), items: 3 }], {
    digest: 'blake3',
  });
  await writeFile(archive, bytes);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The CLI from source, with the BLAKE3 addon unable to load. */
function cliWithoutBlake3(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: join(dir, 'missing', 'blake.node') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const FIX = /@napi-rs\/blake-hash does not load on [\w-]+, Node\.js [\d.]+ \(.+\); run `npm install`/;

describe('reading BLAKE3 digests without the BLAKE3 addon', () => {
  it('verify says so in one line naming the fix, not that the archive is damaged', async () => {
    const result = await cliWithoutBlake3(['verify', archive]);
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('stowage:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(FIX);
    expect(result.stdout).not.toMatch(/does not fit|incomplete|not found|FAILED/);
    const json = await cliWithoutBlake3(['verify', archive, '--json']);
    expect(json.code).toBe(1);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('native-addon');
    expect(error.message).toMatch(FIX);
    expect(error.message).not.toContain('\n');
  }, 180_000);

  it('restore refuses before it connects to the target or writes anything', async () => {
    // Nothing listens on port 9: a restore that went on to the target would fail to connect instead.
    const result = await cliWithoutBlake3([
      'restore',
      archive,
      'postgres://nobody@127.0.0.1:9/never',
      '--create',
      '--yes',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('native-addon');
    expect(error.message).toMatch(FIX);
  }, 180_000);
});
