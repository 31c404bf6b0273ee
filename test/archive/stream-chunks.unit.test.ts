import { describe, expect, it } from 'vitest';
import { FrameType } from '../../src/archive/format.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { CorruptFrameError } from '../../src/errors.js';
import { collect, MemorySource, makeBytes, walkFrames, writeArchive } from './helpers.js';

/** Every chunk of an async iterable, concatenated, and how many there were. */
async function gather(chunks: AsyncIterable<Buffer>): Promise<{ bytes: Buffer; count: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), count: parts.length };
}

const FRAME = 4096;
const data = makeBytes('text', 5, 3 * FRAME + 100);

describe('reading a stream as chunks (no Readable)', () => {
  it('gives the bytes `open` gives, a frame a chunk, through the read-ahead set too', async () => {
    const bytes = await writeArchive(
      [
        { name: 'a', data, items: 3 },
        { name: 'empty', data: Buffer.alloc(0) },
      ],
      { frameSize: FRAME },
    );
    const reader = await ArchiveReader.open(new MemorySource(bytes), { threads: 0 });
    const read = await gather(reader.chunks('a'));
    expect(read.bytes.equals(data)).toBe(true);
    expect(read.count).toBe(4);
    expect((await collect(reader.open('a'))).equals(data)).toBe(true);
    const set = reader.withReadAhead(2);
    expect((await gather(set.chunks?.('a') as AsyncIterable<Buffer>)).bytes.equals(data)).toBe(true);
    expect(await gather(reader.chunks('empty'))).toEqual({ bytes: Buffer.alloc(0), count: 0 });
    expect(() => reader.chunks('missing')).toThrow('archive has no stream named missing');
  });

  it('fails at a damaged frame as `open` does, and stops when returned early', async () => {
    const bytes = await writeArchive([{ name: 'a', data, items: 3 }], { frameSize: FRAME });
    const second = walkFrames(bytes).filter((f) => f.type === FrameType.Data)[1];
    if (!second) throw new Error('no second data frame');
    const damaged = Buffer.from(bytes);
    const at = second.offset + second.size - 10;
    damaged[at] = (damaged[at] as number) ^ 0xff;
    const reader = await ArchiveReader.open(new MemorySource(damaged), { threads: 0 });
    const viaChunks = await gather(reader.chunks('a')).catch((e: unknown) => e);
    const viaOpen = await collect(reader.open('a')).catch((e: unknown) => e);
    expect(viaChunks).toBeInstanceOf(CorruptFrameError);
    expect((viaChunks as Error).message).toBe((viaOpen as Error).message);

    const intact = await ArchiveReader.open(new MemorySource(bytes), { threads: 0 });
    const chunks = intact.chunks('a');
    expect((await chunks.next()).done).toBe(false);
    expect(await chunks.return(undefined)).toEqual({ done: true, value: undefined });
    expect((await chunks.next()).done).toBe(true);
  });
});
