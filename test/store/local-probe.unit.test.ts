import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalRepository } from '../../src/store/local/local-repository.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-local-probe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the writable check of a local repository', () => {
  it('writes and removes its probe without syncing it to disk', async () => {
    // fs/promises' FileHandle class, reached through a handle: its sync() is the fsync.
    const handle = await open(join(dir, 'handle'), 'w');
    const FileHandle = Object.getPrototypeOf(handle) as { sync(): Promise<void> };
    await handle.close();
    await rm(join(dir, 'handle'));
    const sync = vi.spyOn(FileHandle, 'sync');
    try {
      const path = join(dir, 'repository');
      await new LocalRepository(path).checkWritable();
      expect(sync).not.toHaveBeenCalled();
      expect(await readdir(path)).toEqual([]);
    } finally {
      sync.mockRestore();
    }
  });
});
