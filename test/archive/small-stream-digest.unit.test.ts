// A stream that ends within one frame (a small table) is hashed in one call at its end: a running
// hasher per stream (a native object each) cost a backup of thousands of small tables more than
// the hashing itself (issue 14, docs/BENCHMARKS.md). The digests stay what a running hasher gives.
import { describe, expect, it, vi } from 'vitest';
import * as digests from '../../src/archive/stream-digest.js';
import { expectedDigest, makeBytes, readArchive, sha256, writeArchive } from './helpers.js';

vi.mock('../../src/archive/stream-digest.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/archive/stream-digest.js')>();
  return { ...real, createStreamDigest: vi.fn(real.createStreamDigest) };
});

const running = vi.mocked(digests.createStreamDigest);

describe('stream digests of small and large streams', () => {
  for (const digest of ['blake3', 'sha256'] as const) {
    it(`only a stream of more than one frame gets a running hasher (${digest}); every digest is the bytes'`, async () => {
      const frameSize = 4096;
      const streams = [
        { name: 'empty', data: Buffer.alloc(0) },
        { name: 'small', data: makeBytes('text', 1, 1500), chunkSizes: [100, 700] },
        { name: 'one-full-frame', data: makeBytes('text', 2, frameSize) },
        { name: 'large', data: makeBytes('random', 3, 3 * frameSize + 17), chunkSizes: [1000] },
      ];
      running.mockClear();
      const bytes = await writeArchive(streams, { frameSize, digest });
      // One call is the writer's check at create() that the algorithm is available.
      const perStream = running.mock.calls.length - 1;
      // 'one-full-frame' fills its frame before it ends, so it is hashed as it goes, as 'large' is.
      expect(perStream).toBe(2);
      const { reader, streams: read } = await readArchive(bytes);
      for (const s of streams) {
        expect(read.get(s.name)?.equals(s.data), s.name).toBe(true);
        const entry = reader.manifest.streams.find((e) => e.name === s.name);
        const want = digest === 'sha256' ? { sha256: sha256(s.data) } : expectedDigest(s.data);
        expect(digest === 'sha256' ? entry?.sha256 : entry?.blake3, s.name).toBe(
          digest === 'sha256' ? want.sha256 : want.blake3,
        );
      }
    });
  }

  it('digestOf a view hashes only its bytes, as a running hasher does', () => {
    const data = makeBytes('random', 9, 5000);
    const padded = Buffer.concat([Buffer.from('xx'), data, Buffer.from('yy')]);
    for (const algorithm of ['blake3', 'sha256'] as const) {
      const d = digests.createStreamDigest(algorithm);
      d.update(data);
      expect(digests.digestOf(algorithm, padded.subarray(2, 2 + data.length))).toBe(d.hex());
    }
    expect(digests.digestOf('blake3', new Uint8Array(0))).toBe(
      'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
  });
});
