// Small frames read several at a time (issue 14): a restore of thousands of small tables made
// one read per table's frame; the frames that follow closely are now read along, never a big one.
import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../../src/archive/byte-source.js';
import { FrameWindows } from '../../src/archive/frame-windows.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { collect, MemorySource, makeBytes, writeArchive } from './helpers.js';

describe('reading many small streams', () => {
  it('reads their frames a window at a time, every byte intact', async () => {
    const data = Array.from({ length: 600 }, (_, i) => makeBytes('text', i, 200 + i));
    const bytes = await writeArchive(
      data.map((d, i) => ({ name: `public.t${i}`, data: d, items: 1 })),
      { compression: 1 },
    );
    const source = new MemorySource(bytes);
    const reader = await ArchiveReader.open(source, { threads: 0 });
    const before = source.reads.length;
    for (let i = 0; i < data.length; i++) {
      expect((await collect(reader.open(`public.t${i}`))).equals(data[i] as Buffer), `t${i}`).toBe(true);
    }
    // One read per frame before: 600 reads.
    expect(source.reads.length - before).toBeLessThan(20);
    await reader.close();
  });
});

/** A source of `size` bytes (each byte its offset mod 251) that can be made to fail once. */
class PatternSource implements ByteSource {
  readonly reads: { offset: number; length: number }[] = [];
  readonly location = 'memory://pattern';
  failNext = false;
  constructor(readonly size: number) {}
  async read(offset: number, length: number): Promise<Buffer> {
    this.reads.push({ offset, length });
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('EIO');
    }
    const end = Math.min(offset + length, this.size);
    return Buffer.from(Array.from({ length: Math.max(0, end - offset) }, (_, i) => (offset + i) % 251));
  }
  async close(): Promise<void> {}
}

const expected = (offset: number, size: number) =>
  Buffer.from(Array.from({ length: size }, (_, i) => (offset + i) % 251));

describe('FrameWindows', () => {
  it('reads along the small frames that follow, never a big frame or a wide gap', async () => {
    const frames = [
      { offset: 100, size: 50 },
      { offset: 200, size: 50 }, // 50 bytes after the first: read along
      { offset: 300, size: 1024 * 1024 }, // big: never read along, read on its own
      { offset: 1024 * 1024 + 400, size: 60 },
      { offset: 1024 * 1024 + 10_000, size: 60 }, // more than 4 KiB on: a window of its own
    ];
    const source = new PatternSource(2 * 1024 * 1024);
    const windows = new FrameWindows(source, frames);
    expect((await windows.read(100, 50)).equals(expected(100, 50))).toBe(true);
    expect(source.reads).toEqual([{ offset: 100, length: 150 }]);
    expect((await windows.read(200, 50)).equals(expected(200, 50))).toBe(true);
    expect(source.reads).toHaveLength(1);
    expect((await windows.read(300, 1024 * 1024)).equals(expected(300, 1024 * 1024))).toBe(true);
    expect(source.reads.at(-1)).toEqual({ offset: 300, length: 1024 * 1024 });
    await windows.read(1024 * 1024 + 400, 60);
    expect(source.reads.at(-1)).toEqual({ offset: 1024 * 1024 + 400, length: 60 });
    await windows.read(1024 * 1024 + 10_000, 60);
    expect(source.reads.at(-1)).toEqual({ offset: 1024 * 1024 + 10_000, length: 60 });
  });

  it('shares one read among concurrent readers, stops at 64 KiB, and reads a failed window again', async () => {
    const frames = Array.from({ length: 4000 }, (_, i) => ({ offset: 1000 + i * 100, size: 100 }));
    const source = new PatternSource(1000 + 4000 * 100);
    const windows = new FrameWindows(source, frames);
    const got = await Promise.all(frames.slice(0, 50).map((f) => windows.read(f.offset, f.size)));
    for (const [i, b] of got.entries()) expect(b.equals(expected(1000 + i * 100, 100))).toBe(true);
    expect(source.reads).toEqual([{ offset: 1000, length: 64 * 1024 - ((64 * 1024) % 100) }]);
    source.failNext = true;
    const far = frames[3000] as { offset: number; size: number };
    await expect(windows.read(far.offset, far.size)).rejects.toThrow('EIO');
    expect((await windows.read(far.offset, far.size)).equals(expected(far.offset, 100))).toBe(true);
    expect(source.reads.slice(-2).map((r) => r.offset)).toEqual([far.offset, far.offset]);
  });

  it('keeps enough windows for frames read out of file order (a restore reads the biggest tables first)', async () => {
    const frames = Array.from({ length: 3000 }, (_, i) => ({ offset: 64 + i * 1300, size: 1290 }));
    const source = new PatternSource(64 + 3000 * 1300);
    const windows = new FrameWindows(source, frames);
    // A fixed shuffle: every frame once, in an order unrelated to the file's.
    const order = frames.map((_, i) => (i * 1201) % frames.length);
    for (const i of order) {
      const f = frames[i] as { offset: number; size: number };
      expect((await windows.read(f.offset, f.size)).equals(expected(f.offset, f.size))).toBe(true);
    }
    // 3.9 MB of small frames: some 60 windows of 64 KiB, each read about once (8 windows kept: one read per frame).
    expect(source.reads.length).toBeLessThan(200);
  });

  it('lets a window go once each of its frames was read (its bytes are not held to the end)', async () => {
    const frames = [
      { offset: 0, size: 100 },
      { offset: 100, size: 100 },
      { offset: 200, size: 100 },
    ];
    const source = new PatternSource(300);
    const windows = new FrameWindows(source, frames);
    await windows.read(0, 100);
    await windows.read(200, 100);
    expect(source.reads).toEqual([{ offset: 0, length: 300 }]);
    // The last of its frames comes from memory too, and then the window goes.
    expect((await windows.read(100, 100)).equals(expected(100, 100))).toBe(true);
    expect(source.reads).toHaveLength(1);
    // Read again (a comparison after the restore): from the file, no longer from a window held all along.
    expect((await windows.read(200, 100)).equals(expected(200, 100))).toBe(true);
    expect(source.reads).toEqual([
      { offset: 0, length: 300 },
      { offset: 200, length: 100 },
    ]);
  });

  it('lets overlapping windows go too, once every frame was read through one or the other', async () => {
    const frames = Array.from({ length: 10 }, (_, i) => ({ offset: i * 100, size: 100 }));
    const source = new PatternSource(1000);
    const windows = new FrameWindows(source, frames);
    // Out of file order: a window from frame 5, then one from frame 0 that covers it too.
    await windows.read(500, 100);
    await windows.read(0, 100);
    for (const i of [1, 2, 3, 4, 6, 7, 8, 9]) {
      const f = frames[i] as { offset: number; size: number };
      expect((await windows.read(f.offset, f.size)).equals(expected(f.offset, f.size))).toBe(true);
    }
    expect(source.reads).toEqual([
      { offset: 500, length: 500 },
      { offset: 0, length: 1000 },
    ]);
    // Nothing held any more: a frame read again comes from the file, alone (every frame after it was read).
    await windows.read(700, 100);
    expect(source.reads.at(-1)).toEqual({ offset: 700, length: 100 });
  });

  it('hands back fewer bytes where the file ends early, as the source does', async () => {
    const frames = [
      { offset: 0, size: 100 },
      { offset: 100, size: 100 },
    ];
    const windows = new FrameWindows(new PatternSource(150), frames);
    expect(await windows.read(0, 100)).toHaveLength(100);
    expect(await windows.read(100, 100)).toHaveLength(50);
  });
});
