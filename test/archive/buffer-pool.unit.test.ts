// A frame buffer pool must keep only buffers that own their memory: a small Buffer from Node's shared
// pool can start a slab of exactly the pool's size (frames of Buffer.poolSize bytes), and taking that
// slab as a frame buffer overwrote the Buffers sharing it and failed the codec worker's transfer.
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/archive/buffer-pool.js';

/** A small Buffer that Node sliced from the start of a fresh shared slab. */
function pooledAtSlabStart(): Buffer {
  for (;;) {
    const b = Buffer.allocUnsafe(100);
    if (b.byteOffset === 0) return b;
  }
}

describe('BufferPool.give', () => {
  it("ignores a view onto Node's shared small-buffer slab", () => {
    const shared = pooledAtSlabStart();
    expect(shared.buffer.byteLength).toBe(Buffer.poolSize);
    const neighbour = Buffer.from('still here'); // lives in the same slab
    expect(neighbour.buffer).toBe(shared.buffer);
    const pool = new BufferPool(Buffer.poolSize, 4);
    pool.give(shared);
    const taken = pool.take();
    expect(taken.buffer).not.toBe(shared.buffer);
    taken.fill(0);
    expect(neighbour.toString()).toBe('still here');
    // What the codec does with a frame buffer: move it to a worker.
    expect(() => structuredClone(taken, { transfer: [taken.buffer as ArrayBuffer] })).not.toThrow();
  });

  it('keeps its own buffers, whole or as a shorter view, of a slab size too', () => {
    for (const size of [Buffer.poolSize, 64 * 1024 + 8]) {
      const pool = new BufferPool(size, 4);
      const whole = pool.take();
      const short = pool.take();
      pool.give(whole);
      pool.give(short.subarray(0, 10));
      const again = [pool.take(), pool.take()].map((b) => b.buffer);
      expect(again).toContain(whole.buffer);
      expect(again).toContain(short.buffer);
    }
  });

  it('ignores views that do not start the buffer, and buffers of another size', () => {
    const pool = new BufferPool(4096, 4);
    const own = Buffer.allocUnsafeSlow(4096);
    pool.give(own.subarray(1));
    pool.give(Buffer.allocUnsafeSlow(2048));
    const taken = pool.take();
    expect(taken.buffer).not.toBe(own.buffer);
    expect(taken.length).toBe(4096);
  });
});
