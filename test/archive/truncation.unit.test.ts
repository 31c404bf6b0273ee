import { describe, expect, it } from 'vitest';
import { FrameType, HEADER_SIZE } from '../../src/archive/format.js';
import type { KeySource } from '../../src/archive/keys.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { incompleteStreams, scanArchive } from '../../src/archive/scan.js';
import { NotAnArchiveError, StowageError, TruncatedArchiveError } from '../../src/errors.js';
import {
  expectedDigest,
  MemorySource,
  makeBytes,
  type StreamSpec,
  type WalkedFrame,
  walkFrames,
  writeArchive,
} from './helpers.js';

const FRAME = 1024;
const streams: StreamSpec[] = [
  { name: 'public.a', data: makeBytes('text', 1, 4 * FRAME + 10), chunkSizes: [500], items: 40 },
  { name: 'public.b', data: makeBytes('random', 2, 2 * FRAME), chunkSizes: [FRAME], items: 2 },
  { name: 'public.c', data: makeBytes('text', 3, 300), items: 3 },
  { name: 'public.empty', data: Buffer.alloc(0) },
];

/**
 * What a truncated copy must report, worked out from the intact archive's
 * frames: a stream whose open frame survived but whose close frame did not is
 * incomplete. (Streams whose open frame is lost too cannot be named without the
 * footer: they are not in the report at all.)
 */
function expectedAfterCut(frames: WalkedFrame[], cut: number) {
  const names = new Map<number, string>(streams.map((s, i) => [i, s.name]));
  const seen: string[] = [];
  const complete: string[] = [];
  for (const f of frames) {
    if (f.offset + f.size > cut) break;
    if (f.type === FrameType.StreamOpen) seen.push(names.get(f.streamId)!);
    if (f.type === FrameType.StreamClose) complete.push(names.get(f.streamId)!);
  }
  return { seen, complete, incomplete: seen.filter((n) => !complete.includes(n)) };
}

async function openCut(bytes: Buffer, cut: number, encryption?: KeySource): Promise<unknown> {
  try {
    const reader = await ArchiveReader.open(new MemorySource(bytes.subarray(0, cut)), {
      threads: 0,
      encryption,
    });
    await reader.close();
    return undefined;
  } catch (err) {
    return err;
  }
}

async function checkEveryCut(
  encryption: KeySource | undefined,
  cuts: (frames: WalkedFrame[], size: number) => number[],
) {
  const bytes = await writeArchive(streams, { compression: 3, frameSize: FRAME, encryption });
  const frames = walkFrames(bytes);
  let checked = 0;
  for (const cut of cuts(frames, bytes.length)) {
    const err = await openCut(bytes, cut, encryption);
    if (cut === bytes.length) {
      expect(err).toBeUndefined();
      continue;
    }
    if (cut === 0) {
      expect(err).toBeInstanceOf(NotAnArchiveError);
      continue;
    }
    if (cut < HEADER_SIZE) {
      expect(err, `cut at ${cut}`).toBeInstanceOf(StowageError);
      expect((err as StowageError).code).toBe('truncated');
      continue;
    }
    expect(err, `cut at ${cut}`).toBeInstanceOf(TruncatedArchiveError);
    const expected = expectedAfterCut(frames, cut);
    const truncated = err as TruncatedArchiveError;
    expect(truncated.incomplete, `cut at ${cut}`).toEqual(expected.incomplete);
    for (const name of expected.incomplete) expect(truncated.message).toContain(name);
    if (expected.incomplete.length === 0)
      expect(truncated.message).toMatch(/complete but the footer is missing/);

    // The scan agrees, and what it calls complete really is: counts and hashes match what was written.
    const report = await scanArchive(new MemorySource(bytes.subarray(0, cut)), encryption);
    expect(report.footerFound).toBe(false);
    expect(report.stoppedAt).toBeDefined();
    expect(report.streams.map((s) => s.name)).toEqual(expected.seen);
    expect(incompleteStreams(report)).toEqual(expected.incomplete);
    for (const s of report.streams.filter((x) => x.complete)) {
      const spec = streams.find((x) => x.name === s.name)!;
      expect(s.digest).toEqual(expectedDigest(spec.data));
      expect(s.rawBytes).toBe(spec.data.length);
      expect(s.items).toBe(spec.items ?? 0);
    }
    checked++;
  }
  return checked;
}

describe('truncation is detected', () => {
  it('at every frame boundary, and one byte either side of it', async () => {
    const checked = await checkEveryCut(undefined, (frames, size) => {
      const cuts = new Set<number>([0, 1, HEADER_SIZE - 1, HEADER_SIZE, size - 1, size]);
      for (const f of frames) for (const d of [-1, 0, 1]) cuts.add(f.offset + d);
      // Inside the trailer, byte by byte.
      for (let i = size - 32; i < size; i++) cuts.add(i);
      return [...cuts].filter((c) => c >= 0 && c <= size).sort((a, b) => a - b);
    });
    expect(checked).toBeGreaterThan(40);
  });

  it('at every single byte', async () => {
    await checkEveryCut(undefined, (_frames, size) => Array.from({ length: size + 1 }, (_, i) => i));
  }, 60_000);

  it('encrypted, at every frame boundary', async () => {
    await checkEveryCut({ key: Buffer.alloc(32, 7) }, (frames, size) => [
      ...frames.map((f) => f.offset),
      size - 32,
      size - 1,
      size,
    ]);
  });
});

describe('scanArchive', () => {
  it('reports every stream complete and the footer found on an intact archive', async () => {
    for (const encryption of [undefined, { passphrase: 'scan me' }]) {
      const bytes = await writeArchive(streams, { compression: 9, frameSize: FRAME, encryption });
      const report = await scanArchive(new MemorySource(bytes), encryption);
      expect(report.footerFound).toBe(true);
      expect(report.stoppedAt).toBeUndefined();
      expect(report.encrypted).toBe(encryption !== undefined);
      expect(report.streams).toEqual(
        streams.map((s, i) => ({
          streamId: i,
          name: s.name,
          dataFrames: Math.ceil(s.data.length / FRAME),
          rawBytes: s.data.length,
          complete: true,
          items: s.items ?? 0,
          digest: expectedDigest(s.data),
        })),
      );
      expect(incompleteStreams(report)).toEqual([]);
    }
  });
});
