import { describe, expect, it } from 'vitest';
import { PackedFrameIndex, ParsedFrameIndex } from '../../src/archive/frame-index.js';

function entry(streamId: number, name: string, frames: number, crcs = true) {
  const offsets = Array.from({ length: frames }, (_, i) => 2 ** 33 + streamId * 1_000_000 + i * 4096);
  return {
    name,
    streamId,
    frames: offsets,
    sizes: offsets.map((_, i) => 4096 + i),
    ...(crcs ? { crcs: offsets.map((_, i) => (0xffffffff - i * 31) >>> 0) } : {}),
  };
}

/** An entry as plain arrays, to compare the packed one's views with what was parsed. */
function plain(e: {
  name: string;
  streamId: number;
  frames: ArrayLike<number>;
  sizes: ArrayLike<number>;
  crcs?: ArrayLike<number> | undefined;
}) {
  return {
    name: e.name,
    streamId: e.streamId,
    frames: Array.from(e.frames),
    sizes: Array.from(e.sizes),
    ...(e.crcs ? { crcs: Array.from(e.crcs) } : {}),
  };
}

describe('PackedFrameIndex', () => {
  it('gives back every entry as parsed, by name and in order: many frames, none, names with quotes and unicode', () => {
    const entries = [
      entry(0, 'public.t', 1),
      entry(1, 'quo"te\\s', 2),
      entry(2, 'ünïcødé 表 😀', 3),
      entry(3, 'many', 5000),
      entry(4, 'empty', 0),
      entry(5, 'old release', 2, false),
    ];
    for (let i = 0; i < 300; i++) entries.push(entry(entries.length, `s${i}`, i % 4));
    const packed = new PackedFrameIndex();
    for (const [i, e] of entries.entries()) expect(packed.add(structuredClone(e))).toBe(i);
    const parsed = new ParsedFrameIndex(entries);
    for (const e of entries) expect(plain(packed.get(e.name)!)).toEqual(plain(parsed.get(e.name)!));
    expect([...packed.all()].map(plain)).toEqual(entries);
    expect(packed.get('many')!.frames.at(-1)).toBe(entries[3]!.frames.at(-1));
    expect(packed.get('empty')!.frames.at(-1)).toBeUndefined();
    expect(packed.get('missing')).toBeUndefined();
  });

  it('refuses an entry that is not the footer schema’s, saying what is wrong', () => {
    const packed = new PackedFrameIndex();
    expect(() => packed.add(null)).toThrow(/not an object/);
    expect(() => packed.add({ ...entry(0, 'a', 1), name: 5 })).toThrow(/no name/);
    expect(() => packed.add({ ...entry(0, 'a', 1), streamId: -1 })).toThrow(/stream id/);
    expect(() => packed.add({ ...entry(0, 'a', 2), sizes: [1] })).toThrow(/offsets, sizes and CRCs/);
    expect(() => packed.add({ ...entry(0, 'a', 1), sizes: [0] })).toThrow(/offsets, sizes and CRCs/);
    expect(() => packed.add({ ...entry(0, 'a', 1), crcs: [2 ** 32] })).toThrow(/offsets, sizes and CRCs/);
    expect(() => packed.add({ ...entry(0, 'a', 1), frames: [1.5] })).toThrow(/offsets, sizes and CRCs/);
  });
});
