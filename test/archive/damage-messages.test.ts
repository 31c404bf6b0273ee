import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, TRAILER_SIZE } from '../../src/archive/format.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import {
  CorruptArchiveError,
  StowageError,
  TruncatedArchiveError,
  UnsupportedVersionError,
} from '../../src/errors.js';
import { MemorySource, makeBytes, passphrase, type StreamSpec, writeArchive } from './helpers.js';

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
