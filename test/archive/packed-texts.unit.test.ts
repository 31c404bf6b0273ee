// Texts kept packed (archive/packed-texts.ts): each read back by the place and length it was
// given, whatever pieces it spans and in whatever order the texts are read.
import { describe, expect, it } from 'vitest';
import { PackedTexts } from '../../src/archive/packed-texts.js';

describe('PackedTexts', () => {
  it('gives back every text, across pieces, in any order, and holds far fewer bytes than it was given', () => {
    const store = new PackedTexts();
    const texts: string[] = [];
    // Short texts, texts of several pieces, and multi-byte characters at piece edges.
    for (let i = 0; i < 20_000; i++) {
      if (i % 997 === 0) texts.push(`big ${i} ${'é😀x'.repeat(40_000 + i)}`);
      else
        texts.push(
          `ALTER TABLE ONLY public.t${i} ADD CONSTRAINT t${i}_pkey PRIMARY KEY (id) -- ${'ü'.repeat(i % 7)}`,
        );
    }
    const places: { at: number; length: number }[] = [];
    let raw = 0;
    for (const text of texts) {
      const at = store.size;
      const length = store.add(text);
      expect(length).toBe(Buffer.byteLength(text));
      places.push({ at, length });
      raw += length;
    }
    expect(store.size).toBe(raw);
    expect(store.packedBytes).toBeLessThan(raw / 5);
    // (Compared as a count of mismatches: a failing text is megabytes long.)
    const wrong = (read: (i: number) => string, order: number[]) => order.filter((i) => read(i) !== texts[i]);
    const all = texts.map((_, i) => i);
    expect(wrong((i) => store.text(places[i]!.at, places[i]!.length), all)).toEqual([]);
    // Backwards and jumping about: pieces unpacked again as needed.
    const jumping = all.filter((i) => i % 7 === 0).reverse();
    const viaParts = (i: number) => {
      const parts: Buffer[] = [];
      for (const part of store.bytes(places[i]!.at, places[i]!.length)) parts.push(Buffer.from(part));
      return Buffer.concat(parts).toString('utf8');
    };
    expect(wrong(viaParts, jumping)).toEqual([]);
  });

  it('gives back texts across pieces of the size it was told, in any order', () => {
    const store = new PackedTexts(64, 2);
    const texts = Array.from(
      { length: 500 },
      (_, i) => `{"name":"t_${i}","columns":["é${'😀'.repeat(i % 40)}"]}`,
    );
    const places = texts.map((text) => ({ at: store.size, length: store.add(text) }));
    expect(store.size).toBeGreaterThan(64 * 100);
    const order = texts.map((_, i) => (i * 7919) % texts.length);
    expect(order.filter((i) => store.text(places[i]!.at, places[i]!.length) !== texts[i])).toEqual([]);
  });

  it('reads the piece still being filled, and texts added after a read', () => {
    const store = new PackedTexts();
    const first = store.add('one');
    expect(store.text(0, first)).toBe('one');
    const at = store.size;
    const second = store.add('two');
    expect(store.text(at, second)).toBe('two');
    expect(store.text(0, first + second)).toBe('onetwo');
  });
});
