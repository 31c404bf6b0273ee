import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decodeTrailer, SPLIT_FOOTER_VERSION, TRAILER_SIZE } from '../../src/archive/format.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { StowageError } from '../../src/errors.js';
import { MemorySink, MemorySource, makeBytes, manifestInput, readArchive } from './helpers.js';

/** A sink that fails once it has taken `limit` bytes, like a full disk; `delay` makes it answer a turn later, like real I/O. */
class FailingSink extends MemorySink {
  written = 0;
  constructor(
    private readonly limit: number,
    private readonly delay: boolean,
  ) {
    super();
  }
  override async write(chunk: Uint8Array): Promise<void> {
    if (this.delay) await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.written + chunk.length > this.limit)
      throw new StowageError('disk-full', 'no space left on device');
    this.written += chunk.length;
    await super.write(chunk);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms)),
  ]);
}

describe('ArchiveWriter', () => {
  it('a failing sink fails every stream and the finish, and nothing is committed (no hang)', async () => {
    const cases = [
      // Found hanging before submit() checked for an earlier failure: big writes kept queueing frames after the drain had died.
      { threads: 2, compression: 1, frameSize: 64 * 1024, chunk: 2_000_000, limit: 100, delay: false },
      { threads: 2, compression: 1, frameSize: 64 * 1024, chunk: 2_000_000, limit: 200_000, delay: false },
      { threads: 0, compression: 1, frameSize: 1024, chunk: 2_000_000, limit: 100, delay: false },
      ...[100, 4096, 64 * 1024, 1024 * 1024].flatMap((chunk) =>
        [0, 2].map((threads) => ({
          threads,
          compression: 'none' as const,
          frameSize: 1024,
          chunk,
          limit: 20_000,
          delay: true,
        })),
      ),
    ];
    const data = makeBytes('text', 1, 3 * 1024 * 1024);
    for (const c of cases) {
      const sink = new FailingSink(c.limit, c.delay);
      const writer = await ArchiveWriter.create(sink, {
        threads: c.threads,
        // With threads, every frame goes to them (3 MiB of test data would otherwise stay inline).
        inlineFirst: 0,
        frameSize: c.frameSize,
        compression: c.compression,
      });
      const results = await withTimeout(
        Promise.allSettled(
          ['a', 'b', 'c'].map(async (name) => {
            const w = writer.open(name);
            const chunks: Buffer[] = [];
            for (let at = 0; at < data.length; at += c.chunk) chunks.push(data.subarray(at, at + c.chunk));
            await pipeline(Readable.from(chunks), w);
          }),
        ),
        5_000,
        `writing ${JSON.stringify(c)}`,
      );
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason.message).toMatch(/no space left on device/);
      }
      await expect(withTimeout(writer.finish(manifestInput()), 5_000, 'finish')).rejects.toThrow(
        StowageError,
      );
      expect(sink.committed).toBe(false);
      expect(sink.aborted).toBe(true);
    }
  }, 60_000);

  it('abort discards the archive and refuses further use', async () => {
    const sink = new MemorySink();
    const writer = await ArchiveWriter.create(sink, { threads: 0 });
    const w = writer.open('a');
    w.on('error', () => {}); // the pending write fails with 'archive aborted'
    w.write(Buffer.alloc(10_000, 1));
    await writer.abort();
    expect(sink.aborted).toBe(true);
    expect(sink.committed).toBe(false);
    expect(() => writer.open('b')).toThrow(/aborted/);
    await expect(writer.finish(manifestInput())).rejects.toThrow(/aborted/);
    w.destroy();
  });

  it('finish refuses while a stream is still open, and discards the archive', async () => {
    const sink = new MemorySink();
    const writer = await ArchiveWriter.create(sink, { threads: 0 });
    const w = writer.open('left-open');
    w.on('error', () => {});
    w.write(Buffer.from('x'));
    await expect(writer.finish(manifestInput())).rejects.toThrow(/streams not ended: left-open/);
    expect(sink.aborted).toBe(true);
    w.destroy();
  });

  it('stream names must be unique', async () => {
    const writer = await ArchiveWriter.create(new MemorySink(), { threads: 0 });
    const x = writer.open('x');
    x.on('error', () => {}); // ending races the abort below
    x.end();
    expect(() => writer.open('x')).toThrow(/opened twice/);
    await writer.abort();
  });

  it('an invalid manifest is refused and nothing is committed', async () => {
    const sink = new MemorySink();
    const writer = await ArchiveWriter.create(sink, { threads: 0 });
    // @ts-expect-error deliberately wrong kind
    await expect(writer.finish(manifestInput({ kind: 'sometimes' }))).rejects.toThrow();
    expect(sink.committed).toBe(false);
    expect(sink.aborted).toBe(true);
  });

  it('backpressure: a slow sink holds the producer back (bounded memory)', async () => {
    let produced = 0;
    let stored = 0;
    let maxAhead = 0;
    class SlowSink extends MemorySink {
      override async write(chunk: Uint8Array): Promise<void> {
        await new Promise<void>((resolve) => setImmediate(resolve));
        stored += chunk.length;
        await super.write(chunk);
      }
    }
    const sink = new SlowSink();
    const writer = await ArchiveWriter.create(sink, { threads: 0, frameSize: 1024, compression: 'none' });
    const w = writer.open('big');
    const data = makeBytes('random', 5, 4 * 1024 * 1024);
    const source = Readable.from(
      (function* () {
        for (let at = 0; at < data.length; at += 4096) {
          maxAhead = Math.max(maxAhead, produced - stored);
          produced += 4096;
          yield data.subarray(at, at + 4096);
        }
      })(),
    );
    await pipeline(source, w);
    await writer.finish(manifestInput());
    // Ahead of the sink: the stream's 256 KiB write buffer, one frame being filled, a few frames queued, the readable's buffer.
    expect(maxAhead).toBeLessThan(512 * 1024);
    const { streams } = await readArchive(sink.bytes());
    expect(streams.get('big')!.equals(data)).toBe(true);
  });
});

describe('ArchiveWriter footer', () => {
  /** A schema whose JSON is about `mib` MiB: the shape of thousands of tables' DDL. */
  const bigSchema = (mib: number) => ({
    objects: Array.from({ length: mib * 1024 }, (_, i) => ({
      id: `table:public.t${i}`,
      sql: [`CREATE TABLE public.t${i} (${'c integer, '.repeat(95)}id integer)`],
    })),
  });

  it('writes a manifest of many MiB in pieces that read back whole, compressed or not, encrypted or not', async () => {
    const schema = bigSchema(3);
    for (const options of [
      { compression: 1 as const, threads: 0 },
      { compression: 1 as const, threads: 2 },
      { compression: 'none' as const, threads: 0 },
      { compression: 3 as const, threads: 0, encryption: { key: Buffer.alloc(32, 7) } },
    ]) {
      const sink = new MemorySink();
      const writer = await ArchiveWriter.create(sink, options);
      const stream = writer.open('public.t');
      stream.end(Buffer.from('rows'));
      await new Promise((resolve) => stream.once('finish', resolve));
      await writer.finish(manifestInput({ schema }));
      const { reader, streams } = await readArchive(
        sink.bytes(),
        'encryption' in options ? { encryption: options.encryption } : {},
      );
      expect(reader.manifest.schema).toEqual(schema);
      expect(streams.get('public.t')?.toString()).toBe('rows');
    }
  });

  it('writes a manifest larger than one frame (70 MiB) over two footer frames that read back whole', async () => {
    // Refused with manifest-too-large before footers could span frames: readers take at most 64 MiB per frame.
    const schema = bigSchema(70);
    const sink = new MemorySink();
    const writer = await ArchiveWriter.create(sink, { threads: 0 });
    await writer.finish(manifestInput({ schema }));
    expect(sink.committed).toBe(true);
    const bytes = sink.bytes();
    const trailer = decodeTrailer(bytes.subarray(bytes.length - TRAILER_SIZE));
    expect(trailer).toMatchObject({ version: SPLIT_FOOTER_VERSION });
    const reader = await ArchiveReader.open(new MemorySource(bytes), { threads: 0 });
    expect((reader.manifest.schema as typeof schema).objects).toHaveLength(schema.objects.length);
    expect(reader.manifest.schema).toEqual(schema);
    await reader.close();
  }, 120_000);
});
