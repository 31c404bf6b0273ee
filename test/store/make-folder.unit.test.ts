import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../../src/store/local/make-folder.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-make-folder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeFolder (mkdir -p)', () => {
  it('makes the missing folders, 0700, and leaves an existing one', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeFolder(deep, 0o700);
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
    await makeFolder(deep, 0o700);
  });

  it('fails with ENOTDIR where a file is in the way', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(makeFolder(join(dir, 'file', 'repo'), 0o700)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's recursive mkdir never returns there (a thread spins at 100% CPU).
  it.runIf(existsSync('/proc/self'))(
    'fails with ENOENT under /proc, where mkdir answers ENOENT below an existing folder',
    async () => {
      await expect(makeFolder('/proc/stowage-no-such-folder/repo', 0o700)).rejects.toMatchObject({
        code: 'ENOENT',
      });
    },
  );
});
