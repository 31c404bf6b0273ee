// Typed arrays cut from blocks that are given back at once (issue 14: the 20,000-table backup's
// peak memory; resolve-positions.ts takes its temporaries from here).
import { describe, expect, it } from 'vitest';
import { ScratchArrays } from '../../src/engines/postgres/introspect/scratch-arrays.js';

describe('ScratchArrays', () => {
  it('gives zero-filled, aligned arrays that do not overlap, across blocks', () => {
    const scratch = new ScratchArrays();
    const bytes = scratch.uint8(3);
    const ints = scratch.int32(5);
    const floats = scratch.float64(4);
    // Larger than a block: one of its own; the next array after it starts another.
    const big = scratch.int32(5 * 1024 * 1024);
    const after = scratch.float64(2);
    const all = [bytes, ints, floats, big, after];
    for (const array of all) {
      expect(array.every((v) => v === 0)).toBe(true);
      expect(array.byteOffset % array.BYTES_PER_ELEMENT).toBe(0);
    }
    bytes.fill(0xff);
    ints.fill(-1);
    floats.fill(2 ** 40 + 0.5);
    big.fill(7);
    after.fill(-3.25);
    expect([...bytes]).toEqual([255, 255, 255]);
    expect([...ints]).toEqual([-1, -1, -1, -1, -1]);
    expect([...floats]).toEqual([2 ** 40 + 0.5, 2 ** 40 + 0.5, 2 ** 40 + 0.5, 2 ** 40 + 0.5]);
    expect(big.every((v) => v === 7)).toBe(true);
    expect([...after]).toEqual([-3.25, -3.25]);
    expect(new Set(all.map((a) => a.buffer)).size).toBeGreaterThan(1);
  });

  it('lets go of its blocks on release: the arrays are empty, new ones come from new blocks', () => {
    const scratch = new ScratchArrays();
    const before = scratch.int32(1000);
    before.fill(9);
    scratch.release();
    expect(before.length).toBe(0);
    expect(before.buffer.byteLength).toBe(0);
    const again = scratch.int32(1000);
    expect(again.length).toBe(1000);
    expect(again.every((v) => v === 0)).toBe(true);
    scratch.release();
    scratch.release();
  });
});
