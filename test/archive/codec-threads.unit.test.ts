import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  createFrameCodec,
  defaultCodecThreads,
  inlineBelowFor,
  inlineFirstBytes,
} from '../../src/archive/codec-pool.js';
import {
  DEFAULT_FRAME_SIZE,
  decodeFrameHeader,
  FRAME_HEADER_SIZE,
  FrameType,
} from '../../src/archive/format.js';
import { decodeFrame, encodeFrame } from '../../src/archive/frame-codec.js';

describe('defaultCodecThreads', () => {
  const cores = availableParallelism();

  it('cheap levels leave the main thread a core, and local server jobs theirs', () => {
    expect(defaultCodecThreads(1)).toBe(Math.max(0, Math.min(cores - 1, 8)));
    expect(defaultCodecThreads('none')).toBe(defaultCodecThreads(3));
    expect(defaultCodecThreads(1, 2)).toBe(Math.max(0, Math.min(cores - 3, 8)));
    // A server with as many busy backends as there are cores: compress inline.
    expect(defaultCodecThreads(1, cores)).toBe(0);
  });

  it('heavy levels use every core, at least one, at most 8', () => {
    expect(defaultCodecThreads(6)).toBe(Math.max(1, Math.min(cores, 8)));
    expect(defaultCodecThreads(19, cores)).toBe(defaultCodecThreads(19));
  });
});

describe('closing a codec with worker threads', () => {
  it('lets frames in flight finish: close() asks the workers to end instead of stopping them mid-frame', async () => {
    // inlineFirst 0: every frame goes to a thread, none is encoded inline while the threads warm up.
    const codec = createFrameCodec({ threads: 2, level: 3, key: undefined, inlineFirst: 0 });
    const raws = Array.from({ length: 6 }, (_, i) =>
      Buffer.from(`row ${i} `.repeat(512 * 1024).slice(0, 4 * 1024 * 1024)),
    );
    // The raw buffers move to the workers: keep copies to compare with.
    const expected = raws.map((raw) => Buffer.from(raw));
    const frames = raws.map((raw, i) =>
      codec.encode({ type: FrameType.Data, streamId: 1, ordinal: i, sequence: i }, raw),
    );
    // Sent while every frame is still with a worker. Stopping the threads here rejected them all
    // ("codec worker exited with code 1") and ran zstd's finalizers in a dying thread.
    await codec.close();
    const encoded = await Promise.all(frames);
    encoded.forEach(({ frame }, i) => {
      const header = decodeFrameHeader(frame)!;
      const stored = frame.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + header.storedLength);
      const crc = frame.readUInt32LE(FRAME_HEADER_SIZE + header.storedLength);
      const raw = decodeFrame(header, stored, crc, undefined);
      expect(Buffer.isBuffer(raw) && raw.equals(expected[i]!)).toBe(true);
    });
    // Closed means closed: a frame sent now is refused.
    await expect(
      codec.encode({ type: FrameType.Data, streamId: 1, ordinal: 9, sequence: 9 }, expected[0]!),
    ).rejects.toThrow(/codec closed/);
  }, 60_000);
});

describe('codec threads start only for data big enough to need them', () => {
  const frameOf = (i: number) => Buffer.from(`frame ${i} `.repeat(64 * 1024).slice(0, 512 * 1024));
  const ident = (i: number) => ({ type: FrameType.Data, streamId: 1, ordinal: i, sequence: i });

  it('a small archive is encoded inline with no thread started, frames identical to inline ones', async () => {
    const codec = createFrameCodec({ threads: 2, level: 1, key: undefined });
    // 8 MiB in 512 KiB frames: well within the inline budget of a cheap level.
    for (let i = 0; i < 16; i++) {
      const raw = frameOf(i);
      const { frame } = await codec.encode(ident(i), Buffer.from(raw));
      expect(frame.equals(encodeFrame(ident(i), raw, 1, undefined))).toBe(true);
    }
    expect(codec.threadsStarted).toBe(0);
    await codec.close();
  });

  it('the threads start once the inline budget is spent, and the frames still decode', async () => {
    const codec = createFrameCodec({ threads: 2, level: 1, key: undefined, inlineFirst: 1024 * 1024 });
    const frames = [];
    for (let i = 0; i < 4; i++) frames.push((await codec.encode(ident(i), frameOf(i))).frame);
    // Two 512 KiB frames fit the 1 MiB budget; the third starts both threads.
    expect(codec.threadsStarted).toBe(2);
    await codec.close();
    frames.forEach((frame, i) => {
      const header = decodeFrameHeader(frame)!;
      const stored = frame.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + header.storedLength);
      const crc = frame.readUInt32LE(FRAME_HEADER_SIZE + header.storedLength);
      const raw = decodeFrame(header, stored, crc, undefined);
      expect(Buffer.isBuffer(raw) && raw.equals(frameOf(i))).toBe(true);
    });
  }, 60_000);

  it('heavy levels start their threads sooner than cheap ones', () => {
    expect(inlineFirstBytes(6)).toBeLessThan(inlineFirstBytes(1));
    expect(inlineFirstBytes(19)).toBe(0);
    expect(inlineFirstBytes('none')).toBe(inlineFirstBytes(3));
  });

  it('a codec closed before its threads started refuses frames', async () => {
    const codec = createFrameCodec({ threads: 2, level: 1, key: undefined });
    await codec.close();
    await expect(codec.encode(ident(0), frameOf(0))).rejects.toThrow(/codec closed/);
    expect(codec.threadsStarted).toBe(0);
  });
});

describe('raw buffers handed back by a codec with threads', () => {
  const ident = { type: FrameType.Data, streamId: 1, ordinal: 0, sequence: 0 };

  it('a short frame in a bigger buffer gives back that buffer, not the copy sent to the thread', async () => {
    const codec = createFrameCodec({ threads: 1, level: 3, key: undefined, inlineFirst: 0 });
    try {
      // A small stream's last frame: 36 KiB at the start of a 2 MiB pool buffer (see ArchiveWriter.append).
      const pooled = Buffer.allocUnsafeSlow(2 * 1024 * 1024);
      const raw = pooled.subarray(0, 36 * 1024).fill(7);
      const { frame, spare } = await codec.encode(ident, raw);
      // The writer's pool takes back only the whole buffer it lent: anything else is garbage.
      expect(spare.buffer).toBe(pooled.buffer);
      const header = decodeFrameHeader(frame)!;
      const stored = frame.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + header.storedLength);
      const decoded = decodeFrame(
        header,
        stored,
        frame.readUInt32LE(FRAME_HEADER_SIZE + header.storedLength),
        undefined,
      );
      expect(Buffer.isBuffer(decoded) && decoded.equals(Buffer.alloc(36 * 1024, 7))).toBe(true);
    } finally {
      await codec.close();
    }
  }, 60_000);

  it('a buffer that moved to the thread comes back whole', async () => {
    const codec = createFrameCodec({ threads: 1, level: 3, key: undefined, inlineFirst: 0 });
    try {
      const raw = Buffer.allocUnsafeSlow(64 * 1024).fill(3);
      const { spare } = await codec.encode(ident, raw);
      // Moved there and back: the caller's view is detached, and the spare is its whole buffer.
      expect(raw.byteLength).toBe(0);
      expect(spare.byteOffset).toBe(0);
      expect(spare.buffer.byteLength).toBe(64 * 1024);
    } finally {
      await codec.close();
    }
  }, 60_000);
});

describe("a writer's small frames stay inline once its threads run", () => {
  const ident = (i: number) => ({ type: FrameType.Data, streamId: i, ordinal: i, sequence: 0 });

  it('under a 32nd of a frame, never under 16 KiB; 16 KiB from level 10 on', () => {
    expect(inlineBelowFor(DEFAULT_FRAME_SIZE, 6)).toBe(64 * 1024);
    expect(inlineBelowFor(DEFAULT_FRAME_SIZE, 1)).toBe(64 * 1024);
    // Tests' small frames still reach the threads as before.
    expect(inlineBelowFor(64 * 1024, 6)).toBe(16 * 1024);
    // Compression-bound levels: a small frame is still worth a thread.
    expect(inlineBelowFor(DEFAULT_FRAME_SIZE, 12)).toBe(16 * 1024);
  });

  it("small streams' frames start no thread; a full frame does", async () => {
    const codec = createFrameCodec({
      threads: 2,
      level: 6,
      key: undefined,
      inlineFirst: 0,
      inlineBelow: inlineBelowFor(DEFAULT_FRAME_SIZE, 6),
    });
    try {
      // Hundreds of collections of a few hundred documents: one ~36 KiB frame each.
      for (let i = 0; i < 20; i++) {
        const { frame } = await codec.encode(ident(i), Buffer.alloc(36 * 1024, i));
        expect(frame.length).toBeGreaterThan(0);
      }
      expect(codec.threadsStarted).toBe(0);
      const full = Buffer.from('document '.repeat(DEFAULT_FRAME_SIZE / 8).slice(0, DEFAULT_FRAME_SIZE));
      const expected = Buffer.from(full);
      const { frame } = await codec.encode(ident(99), full);
      expect(codec.threadsStarted).toBe(2);
      const header = decodeFrameHeader(frame)!;
      const stored = frame.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + header.storedLength);
      const raw = decodeFrame(
        header,
        stored,
        frame.readUInt32LE(FRAME_HEADER_SIZE + header.storedLength),
        undefined,
      );
      expect(Buffer.isBuffer(raw) && raw.equals(expected)).toBe(true);
    } finally {
      await codec.close();
    }
  }, 60_000);
});
