import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FrameType, HEADER_SIZE, TRAILER_SIZE } from '../../src/archive/format.js';
import type { KeySource } from '../../src/archive/keys.js';
import { scanArchive } from '../../src/archive/scan.js';
import { CorruptFrameError, StowageError } from '../../src/errors.js';
import {
  MemorySource,
  makeBytes,
  readArchive,
  type StreamSpec,
  walkFrames,
  writeArchive,
} from './helpers.js';

/**
 * Every single-byte change to a small archive must be detected, wherever it is:
 * header, stream open/data/close frames, footer, trailer. "Detected" means the
 * reader throws a StowageError while opening or reading the streams, or, for
 * the few frames the indexed reader never needs (stream open/close records),
 * the front-to-back verification scan reports the damage. In no case may the
 * reader hand out bytes that differ from what was written.
 */

const FRAME = 1024;
const streams: StreamSpec[] = [
  { name: 'public.a', data: makeBytes('text', 1, 2 * FRAME + 300), chunkSizes: [700], items: 5 },
  { name: 'public.b', data: makeBytes('random', 2, FRAME), items: 1 },
  { name: 'public.empty', data: Buffer.alloc(0) },
];

type Outcome = 'reader' | 'scan';

async function checkMutation(bytes: Buffer, encryption: KeySource | undefined): Promise<Outcome> {
  let read: Map<string, Buffer>;
  try {
    ({ streams: read } = await readArchive(bytes, { encryption }));
  } catch (err) {
    if (!(err instanceof StowageError)) throw new Error(`not a StowageError: ${err}`, { cause: err });
    return 'reader';
  }
  // The reader did not notice: then it must have returned exactly what was written...
  expect([...read.keys()]).toEqual(streams.map((s) => s.name));
  for (const s of streams) {
    if (!read.get(s.name)!.equals(s.data)) throw new Error(`reader returned different bytes for ${s.name}`);
  }
  // ...and the verification scan must find the damage.
  let report: Awaited<ReturnType<typeof scanArchive>>;
  try {
    report = await scanArchive(new MemorySource(bytes), encryption);
  } catch (err) {
    if (!(err instanceof StowageError))
      throw new Error(`scan threw a non-StowageError: ${err}`, { cause: err });
    return 'scan';
  }
  const damaged =
    !report.footerFound || report.stoppedAt !== undefined || report.streams.some((s) => !s.complete);
  if (!damaged) throw new Error('change not detected by the reader nor by the scan');
  return 'scan';
}

/** The region of each byte of an intact archive (header, the frame type's name, trailer), found once per archive. */
function regions(bytes: Buffer): string[] {
  const out = new Array<string>(bytes.length).fill('header', 0, HEADER_SIZE);
  for (const f of walkFrames(bytes)) out.fill(FrameType[f.type] as string, f.offset, f.offset + f.size);
  return out.fill('trailer', bytes.length - TRAILER_SIZE);
}

async function everyByte(original: Buffer, encryption: KeySource | undefined, mask: number) {
  const frames = walkFrames(original);
  // The archive has every kind of frame, so every region is exercised.
  expect(new Set(frames.map((f) => f.type))).toEqual(
    new Set([FrameType.StreamOpen, FrameType.Data, FrameType.StreamClose, FrameType.Footer]),
  );
  const where = regions(original);
  const counts: Record<string, Record<Outcome, number>> = {};
  const failures: string[] = [];
  // One copy changed in place and restored after each check: the reader and the scan copy what they read.
  const bad = Buffer.from(original);
  for (let at = 0; at < original.length; at++) {
    bad[at]! ^= mask;
    const region = where[at] as string;
    try {
      const outcome = await checkMutation(bad, encryption);
      counts[region] ??= { reader: 0, scan: 0 };
      counts[region][outcome]++;
    } catch (err) {
      failures.push(`byte ${at} (${region}) ^ 0x${mask.toString(16)}: ${(err as Error).message}`);
    }
    bad[at]! ^= mask;
  }
  expect(failures.slice(0, 10)).toEqual([]);
  // Data frames, the footer and the trailer are always caught by the reader itself.
  for (const r of ['header', 'Data', 'Footer', 'trailer']) {
    expect(counts[r]?.scan ?? 0, `${r} changes the reader missed`).toBe(0);
    expect(counts[r]?.reader ?? 0).toBeGreaterThan(0);
  }
  return { size: original.length, counts };
}

describe('single-byte changes are detected', () => {
  // Written once, on first use, for the three tests below: each change is undone before the next.
  let plain: Promise<Buffer> | undefined;
  const plainArchive = () => (plain ??= writeArchive(streams, { compression: 3, frameSize: FRAME }));
  // One test per change, each within its own time limit (a loaded machine ran the three in one past 60 s).
  it.each([
    { mask: 0x01, name: '0x01' },
    { mask: 0x80, name: '0x80' },
    { mask: 0xff, name: '0xff' },
  ])(
    'unencrypted: every byte, changed by xor $name',
    async ({ mask }) => {
      const { size, counts } = await everyByte(await plainArchive(), undefined, mask);
      expect(size).toBeGreaterThan(3000);
      expect(counts.StreamOpen!.scan).toBeGreaterThan(0);
    },
    60_000,
  );

  it('encrypted with a key: every byte', async () => {
    const encryption = { key: randomBytes(32) };
    const original = await writeArchive(streams, { compression: 3, frameSize: FRAME, encryption });
    await everyByte(original, encryption, 0x01);
  }, 60_000);

  it('encrypted with a passphrase: every byte of the header and trailer, and a sample of the rest', async () => {
    const encryption = { passphrase: 'pw' };
    const original = await writeArchive(streams, { compression: 3, frameSize: FRAME, encryption });
    const positions = new Set<number>();
    for (let i = 0; i < HEADER_SIZE; i++) positions.add(i);
    for (let i = original.length - TRAILER_SIZE; i < original.length; i++) positions.add(i);
    for (let i = HEADER_SIZE; i < original.length; i += 37) positions.add(i);
    for (const at of positions) {
      const bad = Buffer.from(original);
      bad[at]! ^= 0x10;
      await expect(checkMutation(bad, encryption), `byte ${at}`).resolves.toBeDefined();
    }
  }, 60_000);
});

describe('damage that the CRC alone would not catch, and damage found on codec threads', () => {
  const frameSize = 64 * 1024;
  const big: StreamSpec[] = [
    { name: 'big', data: makeBytes('text', 9, 3 * frameSize + 5) },
    { name: 'raw', data: makeBytes('random', 10, 2 * frameSize) },
  ];

  /** Changes one payload byte of a data frame and recomputes the frame's CRC, as a deliberate edit would. */
  function tamper(bytes: Buffer, frame: { offset: number; size: number }, at: number): Buffer {
    const bad = Buffer.from(bytes);
    const payloadStart = frame.offset + 32;
    const payloadEnd = frame.offset + frame.size - 4;
    bad[payloadStart + at]! ^= 0x20;
    bad.writeUInt32LE(crc32(bad.subarray(payloadStart, payloadEnd)), payloadEnd);
    return bad;
  }

  for (const encryption of [undefined, { key: randomBytes(32) }] as (KeySource | undefined)[]) {
    it(`a payload edit with a recomputed CRC is still caught (${encryption ? 'encrypted' : 'plain'})`, async () => {
      const original = await writeArchive(big, { compression: 3, frameSize, encryption, threads: 0 });
      const data = walkFrames(original).filter((f) => f.type === FrameType.Data);
      expect(data.length).toBeGreaterThanOrEqual(5);
      for (const frame of data) {
        const payload = frame.size - 36;
        for (const at of new Set([0, Math.min(100, payload - 1), Math.floor(payload / 2), payload - 1])) {
          const err = await readArchive(tamper(original, frame, at), { encryption, threads: 0 }).catch(
            (e) => e,
          );
          expect(err, `frame at ${frame.offset}, payload byte ${at}`).toBeInstanceOf(CorruptFrameError);
          if (encryption) expect(err.message).toMatch(/authentication failed/);
        }
      }
    }, 30_000);
  }

  it('damage found on a codec thread is reported the same way (CRC mismatch, failed authentication)', async () => {
    const original = await writeArchive(big, { compression: 3, frameSize, threads: 2, inlineFirst: 0 });
    const frame = walkFrames(original).filter((f) => f.type === FrameType.Data && f.streamId === 0)[1]!;
    const bad = Buffer.from(original);
    bad[frame.offset + 1000]! ^= 1;
    const err = await readArchive(bad, { threads: 2, inlineFirst: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptFrameError);
    expect(err.message).toBe(`corrupt frame at offset ${frame.offset} in stream big: checksum mismatch`);

    const encryption = { key: randomBytes(32) };
    const sealed = await writeArchive(big, {
      compression: 3,
      frameSize,
      threads: 2,
      inlineFirst: 0,
      encryption,
    });
    const sealedFrame = walkFrames(sealed).filter((f) => f.type === FrameType.Data && f.streamId === 0)[1]!;
    const tampered = await readArchive(tamper(sealed, sealedFrame, 1000), {
      threads: 2,
      inlineFirst: 0,
      encryption,
    }).catch((e) => e);
    expect(tampered).toBeInstanceOf(CorruptFrameError);
    expect(tampered.message).toBe(
      `corrupt frame at offset ${sealedFrame.offset} in stream big: authentication failed`,
    );
  });
});
