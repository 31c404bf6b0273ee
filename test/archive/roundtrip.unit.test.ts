import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameType } from '../../src/archive/format.js';
import type { CompressionLevel } from '../../src/archive/frame-codec.js';
import type { KeySource } from '../../src/archive/keys.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import {
  type Content,
  collect,
  expectedDigest,
  MemorySink,
  MemorySource,
  makeBytes,
  manifestInput,
  passphrase,
  readArchive,
  type StreamSpec,
  walkFrames,
  writeArchive,
} from './helpers.js';

const FRAME = 1024;

/** Sizes around the edges that matter: empty, one byte, one frame ±1, several frames. */
const edgeSizes = [0, 1, FRAME - 1, FRAME, FRAME + 1, 2 * FRAME, 3 * FRAME + 17, 10 * FRAME];

const sizeArb = fc.oneof(fc.constantFrom(...edgeSizes), fc.integer({ min: 0, max: 12 * FRAME }));
const contentArb = fc.constantFrom<Content>('text', 'random', 'zeros');
const levelArb = fc.constantFrom<CompressionLevel>('none', 1, 3, 9);
const encryptionArb = fc.constantFrom<'none' | 'passphrase' | 'key'>('none', 'passphrase', 'key');
const streamArb = fc.record({
  size: sizeArb,
  content: contentArb,
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  chunkSizes: fc.array(
    fc.oneof(fc.constantFrom(1, FRAME - 1, FRAME, FRAME + 1), fc.integer({ min: 1, max: 5000 })),
    {
      maxLength: 4,
    },
  ),
  items: fc.nat({ max: 1_000_000 }),
});

const fixedKey = randomBytes(32);

function keySource(kind: 'none' | 'passphrase' | 'key'): KeySource | undefined {
  if (kind === 'passphrase') return passphrase();
  if (kind === 'key') return { key: fixedKey };
  return undefined;
}

function specs(
  streams: { size: number; content: Content; seed: number; chunkSizes: number[]; items: number }[],
): StreamSpec[] {
  return streams.map((s, i) => ({
    // Names with spaces, dots and non-ASCII must survive as is.
    name: i % 3 === 2 ? `schéma.table ${i}` : `public.t${i}`,
    data: makeBytes(s.content, s.seed, s.size),
    chunkSizes: s.chunkSizes,
    items: s.items,
  }));
}

async function roundTrip(
  streams: StreamSpec[],
  level: CompressionLevel,
  encryption: KeySource | undefined,
  frameSize: number,
  threads = 0,
  recycle = false,
) {
  const bytes = await writeArchive(
    streams,
    // inlineFirst 0: with threads, every frame goes to them (small test data would otherwise stay inline).
    { compression: level, encryption, frameSize, threads, inlineFirst: 0 },
    new MemorySink(recycle),
  );
  const { reader, streams: read } = await readArchive(bytes, { encryption, threads, inlineFirst: 0 });
  expect([...read.keys()]).toEqual(streams.map((s) => s.name));
  for (const s of streams) expect(read.get(s.name)!.equals(s.data), `stream ${s.name}`).toBe(true);
  const manifest = reader.manifest;
  expect(manifest.encrypted).toBe(encryption !== undefined);
  expect(reader.header.encrypted).toBe(encryption !== undefined);
  for (const s of streams) {
    const entry = manifest.streams.find((e) => e.name === s.name)!;
    expect(entry.rawBytes).toBe(s.data.length);
    expect(entry.items).toBe(s.items ?? 0);
    expect({ blake3: entry.blake3, sha256: entry.sha256 }).toEqual({
      blake3: undefined,
      sha256: undefined,
      ...expectedDigest(s.data),
    });
    expect(entry.frames).toBe(Math.ceil(s.data.length / frameSize));
  }
  // Stored bytes add up: header + every frame + trailer.
  const frames = walkFrames(bytes);
  const dataBytes = frames.filter((f) => f.type === FrameType.Data).reduce((n, f) => n + f.size, 0);
  expect(manifest.streams.reduce((n, s) => n + s.storedBytes, 0)).toBe(dataBytes);
  return { bytes, manifest };
}

describe('archive round trip', () => {
  it('property: any set of streams, sizes, write patterns, levels and keys comes back byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(streamArb, { maxLength: 6 }),
        levelArb,
        encryptionArb,
        fc.constantFrom(1024, 4096),
        fc.boolean(),
        async (streams, level, enc, frameSize, recycle) => {
          await roundTrip(specs(streams), level, keySource(enc), frameSize, 0, recycle);
        },
      ),
      { numRuns: 120 },
    );
  }, 60_000);

  for (const level of ['none', 1, 3, 9] as const) {
    for (const enc of ['none', 'passphrase', 'key'] as const) {
      it(`edge sizes, compression ${level}, encryption ${enc}`, async () => {
        const streams: StreamSpec[] = edgeSizes.flatMap((size, i) => [
          { name: `text-${size}`, data: makeBytes('text', i + 1, size), items: size },
          { name: `random-${size}`, data: makeBytes('random', i + 100, size) },
        ]);
        await roundTrip(streams, level, keySource(enc), FRAME, 0, true);
      });
    }
  }

  it('an archive with no streams at all round-trips', async () => {
    const { manifest } = await roundTrip([], 3, undefined, FRAME);
    expect(manifest.streams).toEqual([]);
  });

  it('many streams written concurrently interleave their frames and all come back', async () => {
    const streams: StreamSpec[] = Array.from({ length: 40 }, (_, i) => ({
      name: `s${i}`,
      data: makeBytes(i % 2 ? 'text' : 'random', i + 1, (i * 997) % (8 * FRAME)),
      chunkSizes: [1 + ((i * 31) % 700)],
      items: i,
    }));
    const { bytes } = await roundTrip(streams, 1, undefined, FRAME);
    // Frames of different streams really do interleave in the file.
    const dataOrder = walkFrames(bytes)
      .filter((f) => f.type === FrameType.Data)
      .map((f) => f.streamId);
    let switches = 0;
    for (let i = 1; i < dataOrder.length; i++) if (dataOrder[i] !== dataOrder[i - 1]) switches++;
    expect(switches).toBeGreaterThan(streams.length);
  });

  it('codec worker threads give the same bytes back (frames large enough to leave the main thread)', async () => {
    const frameSize = 64 * 1024;
    const streams: StreamSpec[] = [
      { name: 'a', data: makeBytes('text', 1, 5 * frameSize + 3), chunkSizes: [10_000] },
      { name: 'b', data: makeBytes('random', 2, 3 * frameSize) },
      { name: 'c', data: makeBytes('zeros', 3, frameSize - 1) },
      { name: 'd', data: Buffer.alloc(0) },
    ];
    for (const level of ['none', 3] as const) {
      for (const enc of ['none', 'key'] as const) {
        // With a sink that releases chunks, frames are built in recycled buffers that travel to the workers and back.
        for (const recycle of [false, true])
          await roundTrip(streams, level, keySource(enc), frameSize, 2, recycle);
      }
    }
    // Eight round trips, each starting codec threads: a loaded machine (load 20 on two cores) took past 30 s.
  }, 120_000);

  it('compression actually compresses, and incompressible frames are stored raw (never larger)', async () => {
    const frameSize = 16 * 1024;
    const text = makeBytes('text', 7, 20 * frameSize);
    const random = makeBytes('random', 8, 20 * frameSize);
    const bytes = await writeArchive(
      [
        { name: 'text', data: text },
        { name: 'random', data: random },
      ],
      { compression: 3, frameSize },
    );
    const { reader } = await readArchive(bytes);
    const [t, r] = reader.manifest.streams;
    expect(t!.storedBytes).toBeLessThan(t!.rawBytes / 2);
    // Random data: raw payload + 36 bytes of frame header and CRC per frame.
    expect(r!.storedBytes).toBe(r!.rawBytes + 20 * 36);
  });

  it('the manifest keeps what the caller gave', async () => {
    const sink = new MemorySink();
    const writer = await ArchiveWriter.create(sink, { threads: 0 });
    const w = writer.open('only');
    w.itemCount = 3;
    w.end(Buffer.from('abc'));
    await new Promise((resolve) => w.on('finish', resolve));
    const input = manifestInput({
      note: 'before upgrade',
      kind: 'scheduled',
      engine: 'mongodb',
      schema: { any: ['json'] },
    });
    const result = await writer.finish(input);
    expect(sink.committed).toBe(true);
    expect(result.bytes).toBe(sink.bytes().length);
    const reader = await ArchiveReader.open(new MemorySource(sink.bytes()), { threads: 0 });
    expect(reader.manifest).toEqual(result.manifest);
    expect(reader.manifest).toMatchObject({
      note: 'before upgrade',
      kind: 'scheduled',
      engine: 'mongodb',
      schema: { any: ['json'] },
    });
    expect(reader.list()).toEqual([{ name: 'only', items: 3, rawBytes: 3 }]);
    await reader.close();
  });
});

describe('reading', () => {
  const streams: StreamSpec[] = ['a', 'b', 'c', 'd'].map((name, i) => ({
    name,
    data: makeBytes('text', i + 1, 6 * FRAME + i * 100),
    chunkSizes: [333],
  }));

  it('opens one stream without reading any other stream’s frames', async () => {
    const bytes = await writeArchive(streams, { compression: 3, frameSize: FRAME });
    const frames = walkFrames(bytes);
    const source = new MemorySource(bytes);
    const reader = await ArchiveReader.open(source, { threads: 0 });
    const opened = source.reads.length;
    const out = await collect(reader.open('c'));
    expect(out.equals(streams[2]!.data)).toBe(true);
    // Opening read the header and the tail only.
    const footer = frames.at(-1)!;
    for (const r of source.reads.slice(0, opened)) {
      expect(r.offset === 0 || r.offset >= footer.offset, `open read at ${r.offset}`).toBe(true);
    }
    // Reading stream c started every read at one of c's data frames and covered all of them; the
    // small frames close after one (these are all small) come along in the same read (frame-windows.ts).
    const cFrames = frames.filter((f) => f.type === FrameType.Data && f.streamId === 2);
    const readRanges = source.reads.slice(opened);
    expect(readRanges.length).toBeLessThanOrEqual(cFrames.length);
    for (const r of readRanges) {
      expect(
        cFrames.some((f) => f.offset === r.offset),
        `read at ${r.offset}`,
      ).toBe(true);
    }
    for (const f of cFrames) {
      expect(
        readRanges.some((r) => r.offset <= f.offset && f.offset + f.size <= r.offset + r.length),
        `frame at ${f.offset}`,
      ).toBe(true);
    }
    await reader.close();
    expect(source.closed).toBe(true);
  });

  it('lists a backup from the tail alone', async () => {
    const bytes = await writeArchive(streams, { compression: 3, frameSize: FRAME });
    const source = new MemorySource(bytes);
    const reader = await ArchiveReader.open(source, { threads: 0 });
    expect(reader.list().map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    const touched = source.reads.reduce((n, r) => n + r.length, 0);
    expect(touched).toBeLessThan(bytes.length / 4);
    await reader.close();
  });

  it('reads streams in parallel: reads of different streams interleave, and each comes back whole', async () => {
    for (const threads of [0, 2]) {
      // Frames too big to be read along with their neighbours (frame-windows.ts): one read per frame.
      const frameSize = 96 * 1024;
      const big = streams.map((s, i) => ({ ...s, data: makeBytes('random', i + 1, 8 * frameSize + i) }));
      const bytes = await writeArchive(big, { compression: 3, frameSize });
      const frames = walkFrames(bytes);
      const streamAt = new Map(frames.map((f) => [f.offset, f.streamId]));
      const source = new MemorySource(bytes);
      const reader = await ArchiveReader.open(source, { threads });
      const opened = source.reads.length;
      const outs = await Promise.all(big.map((s) => collect(reader.open(s.name))));
      for (const [i, o] of outs.entries()) expect(o.equals(big[i]!.data)).toBe(true);
      const order = source.reads.slice(opened).map((r) => streamAt.get(r.offset));
      // With sequential reading, the order would switch streams only 3 times.
      let switches = 0;
      for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) switches++;
      // In parallel, each stream's read-ahead (4 frames) alternates with the others' at least twice.
      expect(switches, `threads=${threads}`).toBeGreaterThanOrEqual(big.length * 2);
      await reader.close();
    }
  }, 30_000);

  it('the same stream can be opened twice', async () => {
    const bytes = await writeArchive(streams, { compression: 1, frameSize: FRAME });
    const reader = await ArchiveReader.open(new MemorySource(bytes), { threads: 0 });
    const [x, y] = await Promise.all([collect(reader.open('b')), collect(reader.open('b'))]);
    expect(x.equals(streams[1]!.data) && y.equals(streams[1]!.data)).toBe(true);
    expect(() => reader.open('nope')).toThrow(/no stream named nope/);
    await reader.close();
  });
});
