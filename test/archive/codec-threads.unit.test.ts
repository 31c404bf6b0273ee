import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createFrameCodec, defaultCodecThreads } from '../../src/archive/codec-pool.js';
import { decodeFrameHeader, FRAME_HEADER_SIZE, FrameType } from '../../src/archive/format.js';
import { decodeFrame } from '../../src/archive/frame-codec.js';

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
    const codec = createFrameCodec({ threads: 2, level: 3, key: undefined });
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
