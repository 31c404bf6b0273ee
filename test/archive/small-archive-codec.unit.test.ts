// Restoring a small encrypted archive started a codec worker thread (a thread and its module
// loading, tens of milliseconds) to decrypt a few hundred KiB (issue 14: small restores).
import { describe, expect, it, vi } from 'vitest';
import * as codecPool from '../../src/archive/codec-pool.js';
import { INLINE_ARCHIVE_BYTES } from '../../src/archive/reader.js';
import { makeBytes, passphrase, readArchive, writeArchive } from './helpers.js';

vi.mock('../../src/archive/codec-pool.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/archive/codec-pool.js')>();
  return { ...original, createFrameCodec: vi.fn(original.createFrameCodec) };
});

/** The threads the reader asked its codec for, reading every stream of `bytes`. */
async function readerThreads(bytes: Buffer, threads?: number): Promise<Map<string, Buffer>> {
  vi.mocked(codecPool.createFrameCodec).mockClear();
  const { streams } = await readArchive(bytes, { encryption: passphrase(), threads });
  return streams;
}

describe('the codec of an encrypted archive', () => {
  it('decrypts a small archive on the calling thread, a big one on workers, and as told when told', async () => {
    const small = makeBytes('random', 1, 256 * 1024);
    const smallArchive = await writeArchive([{ name: 't', data: small }], { encryption: passphrase() });
    const read = await readerThreads(smallArchive);
    expect(read.get('t')?.equals(small)).toBe(true);
    expect(vi.mocked(codecPool.createFrameCodec).mock.calls.map(([o]) => o.threads)).toEqual([0]);

    // Random bytes do not compress: the archive is bigger than the limit, so workers decrypt it.
    const big = makeBytes('random', 2, INLINE_ARCHIVE_BYTES + 1024 * 1024);
    const bigArchive = await writeArchive([{ name: 't', data: big }], { encryption: passphrase() });
    expect((await readerThreads(bigArchive)).get('t')?.equals(big)).toBe(true);
    expect(vi.mocked(codecPool.createFrameCodec).mock.calls.map(([o]) => o.threads)).toEqual([undefined]);

    // Threads given are used whatever the size.
    await readerThreads(smallArchive, 1);
    expect(vi.mocked(codecPool.createFrameCodec).mock.calls.map(([o]) => o.threads)).toEqual([1]);
  }, 60_000);
});
