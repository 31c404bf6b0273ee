import { describe, expect, it } from 'vitest';
import { GatheredFrames } from '../../src/archive/gathered-frames.js';
import { MemorySink, makeBytes, readArchive, walkFrames, writeArchive } from './helpers.js';

/** Keeps each chunk as it is given, without copying: a sink that queues chunks (releasesChunks unset). */
class KeepingSink extends MemorySink {
  override async write(chunk: Uint8Array): Promise<void> {
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  }
}

/** Like tables with no rows: a binary COPY's header and trailer (21 bytes) each. */
const emptyTables = Array.from({ length: 300 }, (_, i) => ({
  name: `public.t${i}`,
  data: makeBytes('random', i, 21),
}));

describe('ArchiveWriter with thousands of small streams', () => {
  it('hands their small frames to the sink together, and every stream reads back', async () => {
    for (const releasesChunks of [false, true]) {
      const sink = new MemorySink(releasesChunks);
      const bytes = await writeArchive(emptyTables, {}, sink);
      // Three frames a stream (open, data, close), 900 in all: one write each before.
      const frames = walkFrames(bytes).length;
      expect(frames).toBeGreaterThan(900);
      expect(sink.chunks.length).toBeLessThan(frames / 10);
      const { streams } = await readArchive(bytes);
      for (const t of emptyTables) expect(streams.get(t.name)).toEqual(t.data);
    }
  });

  it('writes big frames between gathered small ones in their place', async () => {
    const mixed = [
      ...emptyTables.slice(0, 50),
      { name: 'public.big', data: makeBytes('random', 7, 64 * 1024) },
      ...emptyTables.slice(50, 100),
    ];
    const sink = new KeepingSink();
    // Frames of 8 KiB of incompressible data: past the gathering's size, written on their own.
    const bytes = await writeArchive(mixed, { compression: 'none', frameSize: 8 * 1024 }, sink);
    expect(sink.chunks.some((c) => c.length > 8 * 1024)).toBe(true);
    const { streams } = await readArchive(bytes);
    for (const t of mixed) expect(streams.get(t.name)).toEqual(t.data);
  });
});

describe('GatheredFrames', () => {
  it('gives the frames as one chunk, and never writes into a chunk it gave until told it is returned', () => {
    const gathered = new GatheredFrames(64);
    expect(gathered.empty).toBe(true);
    gathered.add(Buffer.from('abc'));
    gathered.add(Buffer.from('de'));
    const first = gathered.take();
    expect(first.toString()).toBe('abcde');
    expect(gathered.empty).toBe(true);
    gathered.add(Buffer.from('XYZ'));
    // Still lent out (a sink may hold it): the next frames went into a buffer of their own.
    expect(first.toString()).toBe('abcde');
    const second = gathered.take();
    expect(second.toString()).toBe('XYZ');
    gathered.returned();
    gathered.add(Buffer.from('12'));
    // Returned: its buffer is filled again.
    expect(second.buffer).toBe(gathered.take().buffer);
  });

  it('says it is full while a frame shorter than a sixteenth of it might not fit, and refuses an overflow', () => {
    const gathered = new GatheredFrames(64);
    gathered.add(Buffer.alloc(59));
    expect(gathered.full).toBe(false);
    gathered.add(Buffer.alloc(2));
    expect(gathered.full).toBe(true);
    expect(() => gathered.add(Buffer.alloc(5))).toThrow(RangeError);
  });
});
