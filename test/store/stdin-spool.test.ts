import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoolToTemporaryFile } from '../../src/store/stdin-spool.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-spool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stdin spool', () => {
  it('gives random access to what arrived, from a file no one else can see', async () => {
    const pieces = [Buffer.from('head-'), Buffer.alloc(100_000, 7), Buffer.from('-tail')];
    const source = await spoolToTemporaryFile(Readable.from(pieces), { directory: dir });
    try {
      expect(source.size).toBe(100_010);
      expect((await source.read(0, 5)).toString()).toBe('head-');
      expect((await source.read(100_005, 10)).toString()).toBe('-tail');
      // Unlinked while open: nothing in the folder even while it is being read.
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await source.close();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('stops with a clear error when the folder has no room to spare, and leaves nothing', async () => {
    const error = await spoolToTemporaryFile(Readable.from([Buffer.alloc(1000)]), {
      directory: dir,
      // More than any disk has: the check must refuse before writing anything.
      keepFreeBytes: Number.MAX_SAFE_INTEGER,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'disk-full',
      message: expect.stringContaining(`not enough room in ${dir} to hold the archive read from stdin`),
      hint: expect.stringContaining('TMPDIR'),
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a terminal and an empty pipe', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(spoolToTemporaryFile(tty, { directory: dir })).rejects.toThrow('stdin is a terminal');
    await expect(spoolToTemporaryFile(Readable.from([]), { directory: dir })).rejects.toThrow(
      'nothing arrived on stdin',
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
