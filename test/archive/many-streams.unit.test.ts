// Many small streams written at once (a batch of small tables, issue 14) must not each hold a
// frame-size buffer: 200 open streams with a little data each used to pin 200 × 2 MiB.
import { describe, expect, it } from 'vitest';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { MemorySink, makeBytes, manifestInput, readArchive, writeArchive } from './helpers.js';

const write = (stream: NodeJS.WritableStream, chunk: Buffer) =>
  new Promise<void>((resolve, reject) => stream.write(chunk, (err) => (err ? reject(err) : resolve())));

describe('ArchiveWriter with many small streams open at once', () => {
  it('keeps a small buffer per stream until it outgrows it, and writes every byte', async () => {
    const sink = new MemorySink(true);
    const writer = await ArchiveWriter.create(sink, { compression: 1, threads: 0 });
    const streams = Array.from({ length: 200 }, (_, i) => writer.open(`s${i}`));
    const data = streams.map((_, i) => makeBytes('text', i, 3000 + i));
    const before = process.memoryUsage().arrayBuffers;
    // Every stream has data and none has ended: what a batch of small tables looks like to the writer.
    await Promise.all(streams.map((s, i) => write(s, data[i]!)));
    const held = process.memoryUsage().arrayBuffers - before;
    expect(held).toBeLessThan(32 * 1024 * 1024);
    // Each first buffer is the size of its stream's first chunk (~3 KiB), not 16 KiB: 200 × 16 KiB
    // of short-lived buffers for a few KiB each kept the garbage collector busy at thousands of tables.
    expect(held).toBeLessThan(200 * 8 * 1024);
    // One stream outgrows its first buffer and carries on in a frame-size one.
    const big = makeBytes('text', 999, 5 * 1024 * 1024);
    await write(streams[0]!, big);
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
    await writer.finish(manifestInput());
    const { streams: read } = await readArchive(Buffer.concat(sink.chunks));
    // Buffer.equals: a deep comparison of 5 MiB element by element takes minutes.
    expect(read.get('s0')?.equals(Buffer.concat([data[0]!, big]))).toBe(true);
    for (let i = 1; i < streams.length; i++) expect(read.get(`s${i}`)?.equals(data[i]!), `s${i}`).toBe(true);
  });

  it('a stream that starts small and grows in uneven chunks reads back whole, whatever the frame size', async () => {
    for (const frameSize of [1024, 8192, 64 * 1024]) {
      const streams = [
        // First chunk tiny (a COPY header), then chunks past the first buffer and past 16 KiB.
        { name: 'grows', data: makeBytes('text', 1, 200_000), chunkSizes: [19, 900, 3000, 14_000, 40_000] },
        { name: 'exact', data: makeBytes('text', 2, frameSize), chunkSizes: [frameSize - 1, 1] },
        { name: 'tiny', data: makeBytes('text', 3, 5) },
      ];
      const { streams: read } = await readArchive(await writeArchive(streams, { frameSize }));
      for (const s of streams)
        expect(read.get(s.name)?.equals(s.data), `${s.name} @ ${frameSize}`).toBe(true);
    }
  });
});
