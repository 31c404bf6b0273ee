import { describe, expect, it } from 'vitest';
import { PackedStrings } from '../../src/archive/packed-strings.js';

type Group = (string[] | undefined)[];

/** Groups of every shape a schema object's statements take, and some it never does. */
function groups(count: number): Group[] {
  return Array.from({ length: count }, (_, i) => [
    Array.from(
      { length: i % 4 },
      (_, j) => `CREATE TABLE public.t${i}_${j} (id integer${' '.repeat(i % 97)})`,
    ),
    i % 3 === 0 ? undefined : [`ALTER TABLE public.t${i} OWNER TO "role ${i}"`],
    i % 5 === 0 ? [] : undefined,
    i % 2 ? [`DROP TABLE IF EXISTS public.t${i}`] : undefined,
  ]);
}

function readAll(store: PackedStrings, entries: number[], lists: number): Group[] {
  return entries.map((e) => Array.from({ length: lists }, (_, l) => store.get(e, l)));
}

describe('PackedStrings', () => {
  it('gives back each group as added: absent lists, empty lists, empty strings', () => {
    const store = new PackedStrings();
    const added: Group[] = [...groups(2_000), [[''], [], undefined, ['', '']], [], [undefined]];
    const entries = added.map((g) => store.add(g));
    expect(entries).toEqual(added.map((_, i) => i));
    expect(store.size).toBe(added.length);
    for (let i = 0; i < added.length; i++) {
      const g = added[i]!;
      for (let l = 0; l < g.length; l++) expect(store.get(entries[i]!, l)).toEqual(g[l]);
    }
    // A list past the group's own is an error, not undefined (which means "absent").
    expect(() => store.get(entries.at(-1)!, 1)).toThrow(RangeError);
    expect(() => store.get(added.length, 0)).toThrow(RangeError);
  });

  it('keeps text of any kind byte for byte: multi-byte UTF-8, surrogate pairs, NUL, lone surrogates as UTF-8 makes them', () => {
    const store = new PackedStrings(64, 1);
    const texts = [
      'é ü ß 中文 😀 \u2028\u2029',
      'nul \0 inside',
      'quotes \' " \\ and $$dollar$$',
      '😀'.repeat(40),
      'x'.repeat(300),
    ];
    const entries = texts.map((t) => store.add([[t, t]]));
    for (let i = 0; i < texts.length; i++) expect(store.get(entries[i]!, 0)).toEqual([texts[i], texts[i]]);
    // A lone surrogate reads back as UTF-8 encodes it (U+FFFD), as Buffer.from would give it.
    const lone = store.add([['a\ud800b']]);
    expect(store.get(lone, 0)).toEqual([Buffer.from('a\ud800b', 'utf8').toString('utf8')]);
  });

  it('reads groups that would straddle two pieces, and ones larger than a piece, in and out of order', () => {
    // Pieces of 100 bytes with one unpacked at a time: nearly every read out of order unpacks a piece.
    const store = new PackedStrings(100, 1);
    const added = groups(500);
    added.push([['y'.repeat(1_000)], undefined, ['z'.repeat(250)], undefined]);
    added.push([['after the large one']]);
    const entries = added.map((g) => store.add(g));
    expect(readAll(store, entries.slice(0, -1), 4)).toEqual(added.slice(0, -1));
    expect(store.get(entries.at(-1)!, 0)).toEqual(['after the large one']);
    const shuffled = entries.map((_, i) => (i * 7919) % entries.length);
    const before = store.unpacked;
    for (const i of shuffled.filter((i) => i < entries.length - 1))
      expect(readAll(store, [entries[i]!], 4)[0]).toEqual(added[i]);
    expect(store.unpacked).toBeGreaterThan(before + 100);
  });

  it('holds the text compressed: a schema-like text takes a fraction of its size', () => {
    const store = new PackedStrings();
    let raw = 0;
    for (const g of groups(20_000)) {
      store.add(g);
      for (const list of g) for (const s of list ?? []) raw += s.length;
    }
    expect(raw).toBeGreaterThan(3_000_000);
    expect(store.bytes).toBeLessThan(raw / 4);
  });
});
