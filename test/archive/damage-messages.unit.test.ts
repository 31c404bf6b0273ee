import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_SIZE, FrameType, HEADER_SIZE, TRAILER_SIZE } from '../../src/archive/format.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import {
  CorruptArchiveError,
  CorruptFrameError,
  StowageError,
  TruncatedArchiveError,
  UnsupportedVersionError,
} from '../../src/errors.js';
import {
  MemorySource,
  makeBytes,
  passphrase,
  readArchive,
  type StreamSpec,
  walkFrames,
  writeArchive,
} from './helpers.js';

// What the error says must match what happened to the archive: damage is
// "corrupt", an archive cut short is "truncated", and only a well-formed
// header of a later format asks for a newer stowage.

const streams: StreamSpec[] = [
  { name: 'public.a', data: makeBytes('text', 1, 5000), chunkSizes: [700] },
  { name: 'public.b', data: makeBytes('random', 2, 3000) },
];

async function openError(bytes: Buffer): Promise<StowageError> {
  const reader = await ArchiveReader.open(new MemorySource(bytes), { threads: 0 }).catch((e) => e);
  if (reader instanceof ArchiveReader) {
    await reader.close();
    throw new Error('the archive opened');
  }
  expect(reader).toBeInstanceOf(StowageError);
  return reader as StowageError;
}

describe('the tail', () => {
  it('every single damaged trailer byte makes the archive corrupt, never truncated', async () => {
    const bytes = await writeArchive(streams, { frameSize: 1024 });
    for (let at = bytes.length - TRAILER_SIZE; at < bytes.length; at++) {
      const bad = Buffer.from(bytes);
      bad[at]! ^= 0x10;
      const err = await openError(bad);
      expect(err, `byte ${at}`).toBeInstanceOf(CorruptArchiveError);
      expect(err.message).toMatch(/^corrupt archive: the trailer at offset \d+ is damaged$/);
      expect(err.message).not.toMatch(/truncated/);
    }
  });

  it('bytes appended after the trailer are named as such', async () => {
    const bytes = await writeArchive(streams, { frameSize: 1024 });
    for (const extra of [1, 31, 32, 33, 4096]) {
      const err = await openError(Buffer.concat([bytes, Buffer.alloc(extra, 0x0a)]));
      expect(err).toBeInstanceOf(CorruptArchiveError);
      expect(err.message).toBe(
        `corrupt archive: ${extra} unexpected bytes after the end of the archive (offset ${bytes.length})`,
      );
    }
  });

  it('an encrypted archive with appended bytes says the same', async () => {
    const encryption = passphrase();
    const bytes = await writeArchive(streams, { encryption });
    const reader = await ArchiveReader.open(new MemorySource(Buffer.concat([bytes, Buffer.from('\n')])), {
      threads: 0,
      encryption,
    }).catch((e) => e);
    expect(reader).toBeInstanceOf(CorruptArchiveError);
    expect((reader as Error).message).toMatch(/1 unexpected bytes after the end/);
  });

  it('an archive cut inside its trailer is still truncated', async () => {
    const bytes = await writeArchive(streams, { frameSize: 1024 });
    for (const cut of [1, 16, 31]) {
      expect(await openError(bytes.subarray(0, bytes.length - cut))).toBeInstanceOf(TruncatedArchiveError);
    }
  });
});

describe('the header version', () => {
  it('a damaged version byte is a corrupt header, never "upgrade stowage"', async () => {
    const bytes = await writeArchive(streams);
    for (const at of [8, 9]) {
      for (const mask of [0x01, 0x04, 0x80, 0xff]) {
        const bad = Buffer.from(bytes);
        bad[at]! ^= mask;
        const err = await openError(bad);
        expect(err, `byte ${at} ^ ${mask}`).not.toBeInstanceOf(UnsupportedVersionError);
        expect(err.code).toBe('corrupt-header');
        expect(err.hint).not.toMatch(/upgrade/);
      }
    }
  });

  it('any damaged header byte after the magic is a corrupt header', async () => {
    const bytes = await writeArchive(streams);
    for (let at = 8; at < HEADER_SIZE; at++) {
      const bad = Buffer.from(bytes);
      bad[at]! ^= 0x20;
      expect((await openError(bad)).code, `byte ${at}`).toBe('corrupt-header');
    }
  });
});

describe('frames exchanged in place', () => {
  // Incompressible frames of one size, stored as they are: any two can trade places byte for byte.
  const FRAME = 4096;
  const same: StreamSpec[] = [
    { name: 'public.a', data: makeBytes('random', 3, 3 * FRAME) },
    { name: 'public.b', data: makeBytes('random', 4, 3 * FRAME) },
  ];

  async function sameSizeFrames() {
    const bytes = await writeArchive(same, { compression: 'none', frameSize: FRAME });
    const frames = walkFrames(bytes).filter((f) => f.type === FrameType.Data);
    expect(new Set(frames.map((f) => f.size)).size).toBe(1);
    return { bytes, frames };
  }

  /** Exchanges bytes [from, from + length) of two frames. */
  function exchange(bytes: Buffer, a: number, b: number, from: number, length: number): Buffer {
    const out = Buffer.from(bytes);
    bytes.copy(out, a + from, b + from, b + from + length);
    bytes.copy(out, b + from, a + from, a + from + length);
    return out;
  }

  it('two payloads exchanged (headers in place) are an archive error naming the frame, before any of its bytes', async () => {
    const { bytes, frames } = await sameSizeFrames();
    const payload = frames[0]!.size - FRAME_HEADER_SIZE;
    // Within one stream, and across streams.
    for (const [i, j] of [
      [0, 2],
      [2, 4],
      [0, 1],
      [3, 5],
    ] as const) {
      const a = frames[i]!;
      const b = frames[j]!;
      const bad = exchange(bytes, a.offset, b.offset, FRAME_HEADER_SIZE, payload);
      const err = await readArchive(bad).catch((e) => e);
      expect(err, `frames ${i} and ${j}`).toBeInstanceOf(CorruptFrameError);
      const first = a.offset < b.offset ? a : b;
      expect(err.message).toContain(`corrupt frame at offset ${first.offset}`);
      expect(err.message).toMatch(/holds another frame's data/);
    }
  });

  it('two whole frames exchanged are an archive error naming the frame', async () => {
    const { bytes, frames } = await sameSizeFrames();
    const a = frames[1]!;
    const b = frames[2]!;
    const err = await readArchive(exchange(bytes, a.offset, b.offset, 0, a.size)).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFrameError);
    // Both streams are read at once: whichever reaches its exchanged frame first reports it.
    expect(err.message).toMatch(new RegExp(`^corrupt frame at offset (${a.offset}|${b.offset}) `));
  });

  it('no stream hands out a byte of an exchanged payload', async () => {
    const { bytes, frames } = await sameSizeFrames();
    const a = frames[0]!;
    const b = frames[2]!;
    const bad = exchange(bytes, a.offset, b.offset, FRAME_HEADER_SIZE, a.size - FRAME_HEADER_SIZE);
    const reader = await ArchiveReader.open(new MemorySource(bad), { threads: 0 });
    try {
      const handedOut: Buffer[] = [];
      const err = await (async () => {
        for await (const chunk of reader.open('public.a')) handedOut.push(chunk as Buffer);
      })().catch((e) => e);
      expect(err).toBeInstanceOf(CorruptFrameError);
      // Frame 0 of public.a was the damaged one: nothing at all came out.
      expect(Buffer.concat(handedOut).length).toBe(0);
    } finally {
      await reader.close();
    }
  });
});
