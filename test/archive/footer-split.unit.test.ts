import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeFrameHeader,
  decodeTrailer,
  encodeTrailer,
  FORMAT_VERSION,
  FRAME_HEADER_SIZE,
  FrameType,
  frameTotalSize,
  SPLIT_FOOTER_VERSION,
  TRAILER_SIZE,
} from '../../src/archive/format.js';
import { decodeFrame } from '../../src/archive/frame-codec.js';
import type { KeySource } from '../../src/archive/keys.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { incompleteStreams, scanArchive } from '../../src/archive/scan.js';
import { checkArchiveTail } from '../../src/archive/tail-check.js';
import { ArchiveWriter, type ArchiveWriterOptions } from '../../src/archive/writer.js';
import { listArchives } from '../../src/catalog/list.js';
import { archiveName } from '../../src/catalog/naming.js';
import {
  CorruptFrameError,
  StowageError,
  TruncatedArchiveError,
  UnsupportedVersionError,
} from '../../src/errors.js';
import { inspect } from '../../src/ops/inspect.js';
import { verify } from '../../src/ops/verify.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { collect, MemorySink, MemorySource, manifestInput, TEST_SCRYPT } from './helpers.js';

/** The smallest footer frame the writer takes: a schema of a few hundred KiB splits into many frames. */
const FOOTER_FRAME = 1024;

/** A schema of about `kib` KiB of JSON, non-ASCII included so frames end next to multi-byte characters. */
const schemaOf = (kib: number) => ({
  objects: Array.from({ length: kib * 8 }, (_, i) => ({
    id: `table:public.t${i}`,
    sql: [`CREATE TABLE public."tåble ${i} ✓ 𝄞" (id integer, note text)`],
  })),
});

const streamData = (n: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => `${i}\tnaïve row ${i % 13}\n`).join(''));

interface FooterFrameSeen {
  offset: number;
  sequence: number;
  ordinal: number;
  rawLength: number;
  size: number;
}

/** The footer frames, found from the trailer by walking frame headers (independently of the reader). */
function footerFrames(bytes: Buffer): { version: number; frames: FooterFrameSeen[] } {
  const trailer = decodeTrailer(bytes.subarray(bytes.length - TRAILER_SIZE));
  if (typeof trailer === 'string') throw new Error(`trailer ${trailer}`);
  const frames: FooterFrameSeen[] = [];
  let offset = trailer.footerOffset;
  while (offset < bytes.length - TRAILER_SIZE) {
    const fh = decodeFrameHeader(bytes.subarray(offset, offset + FRAME_HEADER_SIZE))!;
    expect(fh.type).toBe(FrameType.Footer);
    const size = frameTotalSize(fh.storedLength);
    frames.push({ offset, sequence: fh.sequence, ordinal: fh.ordinal, rawLength: fh.rawLength, size });
    offset += size;
  }
  return { version: trailer.version, frames };
}

async function writeSplit(
  options: ArchiveWriterOptions,
  schema: unknown,
  data = streamData(2000),
): Promise<Buffer> {
  const sink = new MemorySink();
  const writer = await ArchiveWriter.create(sink, {
    threads: 0,
    scrypt: TEST_SCRYPT,
    frameSize: 4096,
    footerFrameSize: FOOTER_FRAME,
    ...options,
  });
  for (const [name, bytes] of [
    ['public.a', data],
    ['public.empty', Buffer.alloc(0)],
  ] as const) {
    const stream = writer.open(name);
    stream.itemCount = 7;
    await new Promise<void>((resolve, reject) =>
      stream.end(bytes, (err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
  await writer.finish(manifestInput({ schema }));
  return sink.bytes();
}

const open = (bytes: Buffer, encryption?: KeySource) =>
  ArchiveReader.open(new MemorySource(bytes), { threads: 0, encryption });

/** The trailer rewritten (CRC included) with `change` applied. */
function withTrailer(
  bytes: Buffer,
  change: (t: { footerOffset: number; footerLength: number; version: number }) => void,
) {
  const trailer = decodeTrailer(bytes.subarray(bytes.length - TRAILER_SIZE));
  if (typeof trailer === 'string') throw new Error(`trailer ${trailer}`);
  change(trailer);
  return Buffer.concat([bytes.subarray(0, bytes.length - TRAILER_SIZE), encodeTrailer(trailer)]);
}

describe('a footer larger than one frame (format version 3)', () => {
  const schema = schemaOf(200);
  const cases: { label: string; options: ArchiveWriterOptions; encryption?: KeySource }[] = [
    { label: 'zstd, inline', options: { compression: 1 } },
    { label: 'zstd, codec threads', options: { compression: 1, threads: 2 } },
    { label: 'uncompressed', options: { compression: 'none' } },
    {
      label: 'encrypted',
      options: { compression: 3, encryption: { passphrase: 'split' } },
      encryption: { passphrase: 'split' },
    },
  ];

  for (const { label, options, encryption } of cases) {
    it(`goes on over several frames and reads back whole: ${label}`, async () => {
      const bytes = await writeSplit(options, schema);
      const { version, frames } = footerFrames(bytes);
      expect(version).toBe(SPLIT_FOOTER_VERSION);
      expect(frames.length).toBeGreaterThan(100);
      // Sequences 0, 1, …, consecutive ordinals, every frame within the limit, the last one ending at the trailer.
      frames.forEach((f, i) => {
        expect(f.sequence).toBe(i);
        expect(f.ordinal).toBe(frames[0]!.ordinal + i);
        expect(f.rawLength).toBeLessThanOrEqual(FOOTER_FRAME);
        // Full but for a character that did not fit whole; only the last frame is shorter.
        if (i < frames.length - 1) expect(f.rawLength).toBeGreaterThan(FOOTER_FRAME - 4);
      });
      expect(frames.at(-1)!.offset + frames.at(-1)!.size).toBe(bytes.length - TRAILER_SIZE);
      // The header stays version 2: it is written before the footer's size is known.
      expect(bytes.readUInt16LE(8)).toBe(FORMAT_VERSION);

      const source = new MemorySource(bytes);
      const reader = await ArchiveReader.open(source, { threads: 0, encryption });
      expect(reader.manifest.schema).toEqual(schema);
      // The manifest was written before the split was known; the footer's last member says it.
      expect(reader.manifest.formatVersion).toBe(SPLIT_FOOTER_VERSION);
      // A frame at a time: no read takes more of the footer than one frame.
      const footerStart = frames[0]!.offset;
      for (const read of source.reads.filter((r) => r.offset >= footerStart)) {
        expect(read.length).toBeLessThanOrEqual(frameTotalSize(FOOTER_FRAME + 16));
      }
      expect((await collect(reader.open('public.a'))).equals(streamData(2000))).toBe(true);
      expect((await collect(reader.open('public.empty'))).length).toBe(0);
      await reader.close();

      const report = await scanArchive(new MemorySource(bytes), encryption);
      expect(report.stoppedAt).toBeUndefined();
      expect(report.footerFound).toBe(true);
      expect(report.footerEnd).toBe(bytes.length - TRAILER_SIZE);
      expect(incompleteStreams(report)).toEqual([]);
      expect(await checkArchiveTail(new MemorySource(bytes))).toBeUndefined();
    });
  }

  it('cuts frames on character boundaries: each frame decodes as UTF-8 on its own', async () => {
    const bytes = await writeSplit({ compression: 1 }, schema);
    expect(footerFrames(bytes).frames.length).toBeGreaterThan(100);
    const texts = footerFrames(bytes).frames.map((f) => {
      const fh = decodeFrameHeader(bytes.subarray(f.offset))!;
      const stored = bytes.subarray(
        f.offset + FRAME_HEADER_SIZE,
        f.offset + FRAME_HEADER_SIZE + fh.storedLength,
      );
      const raw = decodeFrame(
        fh,
        stored,
        bytes.readUInt32LE(f.offset + FRAME_HEADER_SIZE + fh.storedLength),
        undefined,
      );
      if (typeof raw === 'string') throw new Error(raw);
      expect(Buffer.from(raw.toString('utf8')).equals(raw)).toBe(true);
      return raw.toString('utf8');
    });
    const footer = JSON.parse(texts.join(''));
    expect(footer.manifest.schema).toEqual(schema);
    // Stored as written first, corrected at the end of the footer.
    expect(footer.manifest.formatVersion).toBe(FORMAT_VERSION);
    expect(texts.at(-1)!.endsWith(`,"formatVersion":${SPLIT_FOOTER_VERSION}}`)).toBe(true);
  });

  it('a footer of exactly one frame is version 2; one byte more is split and says 3', async () => {
    // The footer's text is the same for the same inputs: measure it, then set the frame limit at it and one below.
    const measured = footerFrames(await writeSplit({ compression: 1, footerFrameSize: 1024 * 1024 }, schema));
    expect(measured.frames).toHaveLength(1);
    const length = measured.frames[0]!.rawLength;

    const fits = await writeSplit({ compression: 1, footerFrameSize: length }, schema);
    expect(footerFrames(fits).version).toBe(FORMAT_VERSION);
    expect(footerFrames(fits).frames).toHaveLength(1);
    const whole = await open(fits);
    expect(whole.manifest.formatVersion).toBe(FORMAT_VERSION);
    await whole.close();

    const over = await writeSplit({ compression: 1, footerFrameSize: length - 1 }, schema);
    const { version, frames } = footerFrames(over);
    expect(version).toBe(SPLIT_FOOTER_VERSION);
    expect(frames).toHaveLength(2);
    const split = await open(over);
    expect(split.manifest.formatVersion).toBe(SPLIT_FOOTER_VERSION);
    expect(split.manifest.schema).toEqual(schema);
    await split.close();
  });

  it('list, inspect and verify read it like any archive', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stowage-footer-split-'));
    try {
      const name = archiveName('split', new Date('2026-12-01T21:00:00Z'), 'manual');
      const bytes = await writeSplit({ compression: 1 }, schema);
      expect(footerFrames(bytes).version).toBe(SPLIT_FOOTER_VERSION);
      await writeFile(join(dir, name), bytes);
      const [listed] = await listArchives(new LocalRepository(dir));
      expect(listed?.health).toBe('restorable');
      expect(listed?.streams).toBe(2);
      expect(listed?.engine).toBe('postgres');
      expect((await inspect(join(dir, name))).manifest.schema).toEqual(schema);
      const result = await verify({ archive: join(dir, name), record: false });
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a footer that fits one frame is one frame with a version 2 trailer', async () => {
    const bytes = await writeSplit({ compression: 1, footerFrameSize: 1024 * 1024 }, schema);
    const { version, frames } = footerFrames(bytes);
    expect(version).toBe(FORMAT_VERSION);
    expect(frames).toHaveLength(1);
  });

  it('a manifest beyond the footer limit fails the backup, and nothing is committed', async () => {
    const sink = new MemorySink();
    const writer = await ArchiveWriter.create(sink, {
      threads: 0,
      footerFrameSize: FOOTER_FRAME,
      maxFooterSize: 100 * 1024,
    });
    const err = await writer.finish(manifestInput({ schema })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).code).toBe('manifest-too-large');
    expect(sink.committed).toBe(false);
    expect(sink.aborted).toBe(true);
  });
});

describe('a damaged split footer is refused with a clear error', () => {
  const schema = schemaOf(40);
  let bytes: Buffer;
  let frames: FooterFrameSeen[];
  beforeAll(async () => {
    bytes = await writeSplit({ compression: 1 }, schema);
    frames = footerFrames(bytes).frames;
    expect(frames.length).toBeGreaterThan(5);
  });

  it('cut inside a footer frame, between two, or before the trailer: truncated, the scan says where', async () => {
    const second = frames[1]!;
    for (const cut of [second.offset + 40, second.offset, bytes.length - TRAILER_SIZE, bytes.length - 5]) {
      const err = await open(bytes.subarray(0, cut)).catch((e: unknown) => e);
      expect(err, `cut at ${cut}`).toBeInstanceOf(TruncatedArchiveError);
      expect((err as Error).message).toMatch(
        /^truncated archive: 2 streams complete but the footer is missing/,
      );
      const report = await scanArchive(new MemorySource(bytes.subarray(0, cut)));
      expect(report.footerFound).toBe(false);
      expect(report.stoppedAt).toBeDefined();
      expect(await checkArchiveTail(new MemorySource(bytes.subarray(0, cut)))).toBe(
        'trailer missing (the archive was cut short)',
      );
    }
  });

  it('a damaged payload in a middle footer frame: corrupt at that frame', async () => {
    const victim = frames[3]!;
    const damaged = Buffer.from(bytes);
    damaged[victim.offset + FRAME_HEADER_SIZE + 5]! ^= 0xff;
    const err = await open(damaged).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFrameError);
    expect((err as Error).message).toBe(
      `corrupt frame at offset ${victim.offset} in stream footer: checksum mismatch`,
    );
    expect(await checkArchiveTail(new MemorySource(damaged))).toBe(
      `footer (manifest) at offset ${victim.offset} fails its checksum`,
    );
    const report = await scanArchive(new MemorySource(damaged));
    expect(report.stoppedAt).toEqual({ offset: victim.offset, reason: 'frame checksum mismatch' });
  });

  it('a damaged footer frame header: corrupt at that frame', async () => {
    const victim = frames[2]!;
    const damaged = Buffer.from(bytes);
    damaged[victim.offset + 9]! ^= 0x01;
    const err = await open(damaged).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFrameError);
    expect((err as Error).message).toBe(
      `corrupt frame at offset ${victim.offset} in stream footer: footer frame 2 header is damaged`,
    );
    expect(await checkArchiveTail(new MemorySource(damaged))).toBe(
      `footer frame 2 header is damaged (offset ${victim.offset})`,
    );
  });

  it('a footer frame left out (trailer made to fit): out of order, not a shorter manifest', async () => {
    const gone = frames[2]!;
    const shorter = Buffer.concat([bytes.subarray(0, gone.offset), bytes.subarray(gone.offset + gone.size)]);
    const fixed = withTrailer(shorter, (t) => {
      t.footerLength -= gone.size;
    });
    const err = await open(fixed).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFrameError);
    expect((err as Error).message).toMatch(
      new RegExp(`^corrupt frame at offset ${gone.offset} in stream footer: footer frame 2 is out of order`),
    );
  });

  it('a trailer of a later version: made by a newer stowage, upgrade', async () => {
    const later = withTrailer(bytes, (t) => {
      t.version = SPLIT_FOOTER_VERSION + 1;
    });
    const err = await open(later).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedVersionError);
    expect((err as StowageError).message).toBe(`unsupported format version ${SPLIT_FOOTER_VERSION + 1}`);
    expect((err as StowageError).hint).toMatch(/^upgrade stowage/);
    expect(await checkArchiveTail(new MemorySource(later))).toMatch(/^made by a newer stowage .*upgrade/);
  });

  it('read as a version 2 tail (as releases before version 3 read it): refused, never half-read', async () => {
    const asV2 = withTrailer(bytes, (t) => {
      t.version = FORMAT_VERSION;
    });
    const err = await open(asV2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptFrameError);
    expect((err as Error).message).toBe(
      `corrupt frame at offset ${frames[0]!.offset} in stream footer: footer frame header is damaged`,
    );
  });
});

describe('version 2 archives are unchanged', () => {
  // Written by the release before split footers (commit aca6409's writer) from the inputs below;
  // see test/archive/fixtures/README.md.
  const fixture = join(import.meta.dirname, 'fixtures', 'format-2-one-footer-frame.stow');
  const rows = (n: number) =>
    Buffer.from(
      Array.from({ length: n }, (_, i) => `${i}\trow ${i % 7}\tnaïve café ${(i * 31) % 1000}\n`).join(''),
    );
  const fixtureSchema = {
    objects: Array.from({ length: 50 }, (_, i) => ({
      id: `table:public.t${i}`,
      sql: [`CREATE TABLE public."tåble ${i} ✓" (id integer)`],
    })),
  };

  let old: Buffer;
  beforeAll(async () => {
    old = await readFile(fixture);
  });

  it('an archive of the previous release still reads and verifies', async () => {
    const reader = await open(old);
    expect(reader.manifest.schema).toEqual(fixtureSchema);
    expect((await collect(reader.open('public.a'))).equals(rows(400))).toBe(true);
    expect((await collect(reader.open('public.b'))).toString()).toBe('hello');
    await reader.close();
    const report = await scanArchive(new MemorySource(old));
    expect(report.footerFound).toBe(true);
    expect(incompleteStreams(report)).toEqual([]);
    expect(await checkArchiveTail(new MemorySource(old))).toBeUndefined();
  });

  it('the same backup written now is the same bytes (but for the random salt and the header CRC)', async () => {
    const sink = new MemorySink();
    const writer = await ArchiveWriter.create(sink, {
      threads: 0,
      compression: 1,
      frameSize: 1024,
      digest: 'sha256',
    });
    for (const [name, data, items] of [
      ['public.a', rows(400), 400],
      ['public.b', Buffer.from('hello'), 1],
    ] as const) {
      const stream = writer.open(name);
      stream.itemCount = items;
      await new Promise<void>((resolve, reject) =>
        stream.end(data, (err?: Error | null) => (err ? reject(err) : resolve())),
      );
    }
    await writer.finish({
      ...manifestInput({ schema: fixtureSchema }),
      tool: { name: 'stowage', version: '0.0.0-fixture' },
      database: 'fixture',
      source: 'postgres://localhost/fixture',
      startedAt: '2026-12-01T21:00:00.000Z',
      finishedAt: '2026-12-01T21:00:01.000Z',
    });
    const now = sink.bytes();
    expect(now.length).toBe(old.length);
    const masked = (b: Buffer) => {
      const copy = Buffer.from(b);
      copy.fill(0, 16, 32); // salt
      copy.fill(0, 60, 64); // header CRC (covers the salt)
      return copy;
    };
    expect(masked(now).equals(masked(old))).toBe(true);
    expect(crc32(now.subarray(0, 60))).toBe(now.readUInt32LE(60));
  });
});
