import { describe, expect, it } from 'vitest';
import { jsonPieceBytes } from '../../src/archive/json-pieces.js';

/** A manifest-like document: long arrays of small records, nested in plain objects. */
function manifestLike(objects: number): unknown {
  return {
    formatVersion: 2,
    note: 'quotes " backslashes \\ newlines \n unicode é 😀 \u2028',
    skipped: undefined,
    when: new Date(0),
    streams: Array.from({ length: objects }, (_, i) => ({
      name: `public.t${i}`,
      items: i,
      blake3: undefined,
    })),
    schema: {
      format: 'stowage-postgres',
      objects: Array.from({ length: objects }, (_, i) => ({
        id: `table:public.t${i}`,
        sql: [`CREATE TABLE public.t${i} (id integer)`],
        drop: i % 2 ? undefined : `DROP TABLE public.t${i}`,
        deps: i ? [`table:public.t${i - 1}`] : [],
        fn: () => i,
      })),
      sparse: [1, undefined, () => 0, null, ...Array.from({ length: 100 }, (_, i) => i)],
      nested: { deeper: { list: Array.from({ length: 200 }, (_, i) => ({ i, at: new Date(i) })) } },
      empty: [],
    },
    index: Array.from({ length: objects }, (_, i) => ({ name: `public.t${i}`, frames: [i], sizes: [i + 1] })),
  };
}

describe('jsonPieceBytes', () => {
  it("gives the exact UTF-8 bytes of JSON.stringify's text, surrogate pairs and lone surrogates included", () => {
    const values: unknown[] = [
      manifestLike(1000),
      manifestLike(3),
      Array.from({ length: 300 }, (_, i) => `é😀\ud800 ${'x'.repeat(i)}`),
      { big: 'é'.repeat(5000), list: Array.from({ length: 100 }, () => '😀'.repeat(300)) },
      Array.from({ length: 500 }, (_, i) => (i % 3 ? i : [i, { a: i }])),
      { a: undefined },
      [],
      {},
      'text',
      42,
      null,
      { toJSON: () => ({ replaced: Array.from({ length: 100 }, (_, i) => i) }) },
    ];
    for (const value of values)
      for (const size of [1024, 4096, 256 * 1024]) {
        const bytes = Buffer.concat([...jsonPieceBytes(value, size)]);
        expect(bytes.equals(Buffer.from(JSON.stringify(value), 'utf8'))).toBe(true);
      }
    expect([...jsonPieceBytes(undefined)]).toHaveLength(0);
  });

  it('hands out pieces of at most the size, each in its own memory, a longer part alone', () => {
    const value = { small: manifestLike(20_000), long: 'a'.repeat(300 * 1024) };
    const pieces = [...jsonPieceBytes(value)];
    const whole = Buffer.from(JSON.stringify(value), 'utf8');
    expect(pieces.length).toBeGreaterThan(whole.length / (256 * 1024));
    // Runs of small records are a few KiB each: only the long string's part passes the size.
    const over = pieces.filter((p) => p.length > 256 * 1024);
    expect(over.map((p) => p.toString('utf8'))).toEqual([`,"long":"${'a'.repeat(300 * 1024)}"`]);
    expect(new Set(pieces.map((p) => p.buffer)).size).toBe(pieces.length);
  });
});
