import { describe, expect, it } from 'vitest';
import { jsonPieceBytes } from '../../src/archive/json-pieces.js';
import { StreamRecords } from '../../src/archive/stream-records.js';

/** The text the writer wrote for these lists before the records were compact: JSON.stringify of plain objects. */
function expectedTexts(streams: ReturnType<typeof sample>[]) {
  return {
    streams: JSON.stringify(
      streams.map((s) => ({
        name: s.name,
        items: s.items,
        rawBytes: s.rawBytes,
        storedBytes: s.storedBytes,
        blake3: s.digestHex,
        frames: s.offsets.length,
      })),
    ),
    index: JSON.stringify(
      streams.map((s) => ({ name: s.name, streamId: s.id, frames: s.offsets, sizes: s.sizes, crcs: s.crcs })),
    ),
  };
}

function sample(id: number, name: string, frames: number) {
  const offsets = Array.from({ length: frames }, (_, i) => 2 ** 33 + id * 1_000_000 + i * 4096);
  return {
    id,
    name,
    items: id * 7,
    rawBytes: frames * 2 ** 21,
    storedBytes: frames * 4096 + 3,
    digestHex: (id % 256).toString(16).padStart(2, '0').repeat(32),
    offsets,
    sizes: offsets.map((_, i) => 4096 + i),
    crcs: offsets.map((_, i) => (0xffffffff - i * 31) >>> 0),
  };
}

function textOf(value: unknown): string {
  return Buffer.concat([...jsonPieceBytes(value, 1024)]).toString('utf8');
}

describe('StreamRecords', () => {
  it('writes the streams and the index as JSON.stringify of their entries, closed in any order', () => {
    const names = ['public.t', 'quo"te\\s', 'ünïcødé 表', 'emoji 😀', 'many', 'empty'];
    const streams = names.map((name, id) =>
      sample(id, name, name === 'many' ? 5000 : name === 'empty' ? 0 : 1 + (id % 3)),
    );
    for (let i = 0; i < 300; i++) streams.push(sample(streams.length, `s${i}`, i % 4));
    const records = new StreamRecords('blake3');
    for (const s of streams) expect(records.add(s.name)).toBe(s.id);
    // Closed last to first: the records come out in the order the streams were opened.
    for (const s of [...streams].reverse()) records.close(s);
    expect(records.closed).toBe(streams.length);
    const expected = expectedTexts(streams);
    expect(textOf(records.streamsText())).toBe(expected.streams);
    expect(textOf(records.indexText())).toBe(expected.index);
    expect(JSON.stringify([...records.entries()])).toBe(expected.streams);
  });

  it('writes empty lists for no streams, and names its digest by its algorithm', () => {
    const none = new StreamRecords('blake3');
    expect(textOf(none.streamsText())).toBe('[]');
    expect(textOf(none.indexText())).toBe('[]');
    const records = new StreamRecords('sha256');
    const s = sample(records.add('a'), 'a', 0);
    records.close(s);
    expect([...records.entries()]).toEqual([
      { name: 'a', items: 0, rawBytes: 0, storedBytes: 3, sha256: s.digestHex, frames: 0 },
    ]);
  });

  it('refuses a record without a digest or with a count that is not one', () => {
    const records = new StreamRecords('blake3');
    const s = sample(records.add('a'), 'a', 1);
    expect(() => records.close({ ...s, digestHex: '' })).toThrow(/digest/);
    expect(() => records.close({ ...s, items: 1.5 })).toThrow(/items/);
    expect(() => records.close({ ...s, id: 5 })).toThrow(/never opened/);
  });
});
