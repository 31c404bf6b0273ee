import { describe, expect, it } from 'vitest';
import { SegmentBuffer } from '../../src/follow/segment-buffer.js';

const tx = (n: number, bytes = 10) => ({ position: `0:${n}`, commitTime: n, payload: Buffer.alloc(bytes) });

describe('segment cutting', () => {
  it('never cuts an empty segment, however old', () => {
    const buffer = new SegmentBuffer({ maxAgeMs: 1000, maxBytes: 100 });
    expect(buffer.due(0)).toBe(false);
    expect(buffer.due(1_000_000)).toBe(false);
    buffer.add([], 5);
    expect(buffer.due(1_000_000)).toBe(false);
  });

  it('cuts once the first change has waited the interval, counted from when it was read', () => {
    const buffer = new SegmentBuffer({ maxAgeMs: 1000, maxBytes: 1_000_000 });
    buffer.add([tx(1)], 500);
    buffer.add([tx(2)], 1400);
    expect(buffer.due(1499)).toBe(false);
    expect(buffer.due(1500)).toBe(true);
    expect(buffer.take().map((t) => t.position)).toEqual(['0:1', '0:2']);
    // A new segment starts its own clock.
    buffer.add([tx(3)], 2000);
    expect(buffer.due(2999)).toBe(false);
    expect(buffer.due(3000)).toBe(true);
  });

  it('cuts at the size limit before the interval', () => {
    const buffer = new SegmentBuffer({ maxAgeMs: 60_000, maxBytes: 25 });
    buffer.add([tx(1), tx(2)], 0);
    expect(buffer.bytes).toBe(20);
    expect(buffer.due(1)).toBe(false);
    buffer.add([tx(3)], 1);
    expect(buffer.due(1)).toBe(true);
    expect(buffer.take()).toHaveLength(3);
    expect(buffer.size).toBe(0);
    expect(buffer.bytes).toBe(0);
  });
});
