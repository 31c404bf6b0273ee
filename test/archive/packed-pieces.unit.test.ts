// The zstd piece store under the packed schema forms (archive/packed-pieces.ts): every piece
// reads back as added, whatever its size and the order of reads, while only a few stay unpacked.
import { describe, expect, it } from 'vitest';
import { PackedPieces } from '../../src/archive/packed-pieces.js';

/** A piece of `size` bytes that compresses (repeated text) but differs per `seed`. */
function pieceOf(seed: number, size: number): Buffer {
  const text = Buffer.from(`CREATE INDEX t${seed}_label ON public.t${seed} USING btree (label);\n`);
  const bytes = Buffer.alloc(size);
  for (let at = 0; at < size; at += text.length) text.copy(bytes, at);
  return bytes;
}

describe('PackedPieces', () => {
  it('reads every piece back as added, in and out of order, sizes up and down, keeping a few unpacked', () => {
    const pieces = new PackedPieces(2);
    const sizes = [65_536, 10, 0, 200_000, 1, 65_536, 3_000, 500_000, 7];
    // One buffer filled again for every piece: the store must copy what it keeps.
    const filling = Buffer.alloc(500_000);
    const added = sizes.map((size, seed) => {
      const piece = pieceOf(seed, size);
      piece.copy(filling);
      expect(pieces.add(filling.subarray(0, size))).toBe(seed);
      return piece;
    });
    expect(pieces.count).toBe(sizes.length);
    const raw = sizes.reduce((n, s) => n + s, 0);
    // Counted as the memory under the pieces: a small piece that shared a slab of Node's buffer
    // pool would count (and keep alive) the whole slab.
    expect(pieces.bytes).toBeLessThan(raw / 10);
    const order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 0, 7, 3, 3, 1, 5, 2, 6, 4];
    for (const n of order) {
      expect(pieces.rawSize(n)).toBe(sizes[n]);
      expect(pieces.read(n).equals(added[n] as Buffer)).toBe(true);
    }
    // Two kept: reading the last two again unpacks nothing.
    const unpacked = pieces.unpackCount;
    pieces.read(6);
    pieces.read(4);
    expect(pieces.unpackCount).toBe(unpacked);
    pieces.read(0);
    expect(pieces.unpackCount).toBe(unpacked + 1);
    expect(pieces.bytes).toBeLessThan(raw / 10 + 2 * 500_000 + 1);
  });

  it('refuses a piece it does not have', () => {
    const pieces = new PackedPieces();
    pieces.add(Buffer.from('x'));
    expect(() => pieces.read(1)).toThrow(RangeError);
  });
});
