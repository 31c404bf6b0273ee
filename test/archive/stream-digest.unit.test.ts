import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArchiveReader } from '../../src/archive/reader.js';
import { scanArchive } from '../../src/archive/scan.js';
import {
  createStreamDigest,
  preferredDigest,
  recordedDigest,
  sameDigest,
} from '../../src/archive/stream-digest.js';
import { collect, MemorySource, makeBytes, writeArchive } from './helpers.js';

describe('stream digests', () => {
  it('BLAKE3 gives the published test vectors, over views and in pieces', () => {
    expect(preferredDigest()).toBe('blake3');
    const hex = (...chunks: Uint8Array[]) => {
      const d = createStreamDigest('blake3');
      for (const c of chunks) d.update(c);
      return d.hex();
    };
    // BLAKE3 reference vectors (empty input, "abc").
    expect(hex()).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(hex(Buffer.from('abc'))).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
    // A view hashes only its own bytes, whatever surrounds it; pieces hash like the whole.
    const data = makeBytes('random', 7, 300_000);
    const padded = Buffer.concat([Buffer.from('xx'), data, Buffer.from('yy')]);
    const whole = hex(data);
    expect(hex(padded.subarray(2, 2 + data.length))).toBe(whole);
    expect(hex(data.subarray(0, 1000), new Uint8Array(data.subarray(1000)))).toBe(whole);
  });

  it('SHA-256 is node:crypto’s', () => {
    const d = createStreamDigest('sha256');
    d.update(Buffer.from('abc'));
    expect(d.hex()).toBe(createHash('sha256').update('abc').digest('hex'));
  });

  it('recorded digests name their algorithm; old entries are SHA-256', () => {
    expect(recordedDigest({ sha256: 'a' })).toEqual({ algorithm: 'sha256', hex: 'a' });
    expect(recordedDigest({ blake3: 'b' })).toEqual({ algorithm: 'blake3', hex: 'b' });
    expect(sameDigest({ blake3: 'b' }, { blake3: 'b' })).toBe(true);
    expect(sameDigest({ blake3: 'b' }, { sha256: 'b' })).toBe(false);
    expect(sameDigest(undefined, { sha256: 'b' })).toBe(false);
  });

  it('an archive written with SHA-256 digests reads, scans and checks them', async () => {
    const data = makeBytes('text', 3, 50_000);
    const bytes = await writeArchive([{ name: 's', data, items: 4 }], { frameSize: 4096, digest: 'sha256' });
    const reader = await ArchiveReader.open(new MemorySource(bytes), { threads: 0 });
    const entry = reader.manifest.streams[0];
    expect(entry?.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(entry?.blake3).toBeUndefined();
    expect((await collect(reader.open('s'))).equals(data)).toBe(true);
    const report = await scanArchive(new MemorySource(bytes));
    expect(report.streams[0]?.complete).toBe(true);
    expect(report.streams[0]?.digest).toEqual({ sha256: entry?.sha256 });
  });
});
