import { describe, expect, it } from 'vitest';
import { JsonAssembler } from '../../src/archive/json-assembler.js';

/** Parses `text` handed over in chunks of `size` bytes (one reused buffer, as the footer's decompression hands them). */
function assemble(text: string, size: number): unknown {
  const bytes = Buffer.from(text, 'utf8');
  const json = new JsonAssembler();
  const scratch = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const n = bytes.copy(scratch, 0, at, Math.min(at + size, bytes.length));
    json.write(scratch.subarray(0, n));
    // Whatever the assembler kept must not be a view of the buffer it was handed.
    scratch.fill(0x7b);
  }
  return json.end();
}

const SIZES = [1, 2, 3, 7, 64, 1 << 20];

function manifestLike(objects: number): unknown {
  return {
    manifest: {
      formatVersion: 2,
      note: 'quotes " backslashes \\ \\" newlines \n unicode é 😀 \u2028 {[}]',
      options: { nested: { deeper: { list: [1, 2.5, -3e-7, true, false, null, 'x'] } }, empty: {} },
      streams: Array.from({ length: objects }, (_, i) => ({
        name: `public.t${i}`,
        items: i,
        rawBytes: i * 7,
      })),
      schema: {
        objects: Array.from({ length: objects }, (_, i) => ({
          id: `table:public."t\\"${i}"`,
          sql: [`CREATE TABLE public.t${i} (id integer, "a]b" text DEFAULT '{x')`],
          deps: i ? [`table:public.t${i - 1}`] : [],
          nested: [[i], [], [[{}]]],
        })),
        empty: [],
      },
    },
    index: Array.from({ length: objects }, (_, i) => ({ name: `public.t${i}`, frames: [i], sizes: [i + 1] })),
    formatVersion: 3,
  };
}

describe('JsonAssembler', () => {
  it('gives what JSON.parse gives, however the bytes are cut', () => {
    const texts = [
      JSON.stringify(manifestLike(50)),
      // Long enough that an array's elements are parsed in several runs.
      JSON.stringify(manifestLike(3000)),
      JSON.stringify(manifestLike(50), null, 2),
      JSON.stringify(manifestLike(0), null, '\t').replaceAll('\n', '\r\n'),
      '  {"a":1,"a":2,"b":{"a":[1,{"x":[]}],"a":{}} } \n',
      '{"__proto__":{"polluted":1},"x":{"__proto__":[1]}}',
      '[]',
      '[ ]',
      '{}',
      '{ }',
      '[1, "two", [3], {"four": 4}, null, true, false, -0.5e10]',
      '"just a string \\u00e9 \\ud83d\\ude00"',
      '12345',
      ' -1.5e+3 ',
      'true',
      'null',
      '{"a":"\\\\","b":"\\\\\\"","c":["\\\\"]}',
      '{"1":1,"0":0,"b":2,"a":1}',
    ];
    for (const text of texts) {
      const expected = JSON.parse(text);
      for (const size of SIZES) {
        const got = assemble(text, size);
        expect(got).toStrictEqual(expected);
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
      }
    }
  });

  it('makes __proto__ an own property, as JSON.parse does', () => {
    const got = assemble('{"__proto__":{"polluted":1}}', 5) as Record<string, unknown>;
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.hasOwn(got, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what JSON.parse refuses', () => {
    const bad = [
      '',
      '   ',
      '{',
      '[',
      '{"a":1',
      '[1,2',
      '{"a":1,}',
      '[1,]',
      '[,1]',
      '{,"a":1}',
      '{"a" 1}',
      '{"a":}',
      '{a:1}',
      "{'a':1}",
      '{"a":1}}',
      '{"a":1} x',
      '{"a":1}{}',
      '[1 2]',
      '{"a":1 "b":2}',
      '{"a":[1}',
      '{"a":{]}',
      '[1:2]',
      '{"a":tru}',
      '{"a":01}',
      '{"a":"unterminated}',
      '{"a":"tab\there"}',
      '\ufeff{}',
      '{"a":1,"b":[{"c":}]}',
      '{"a":NaN}',
      '{"a":1}\u00a0',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow();
      for (const size of SIZES) expect(() => assemble(text, size), `${text} in ${size}`).toThrow(SyntaxError);
    }
  });

  it('hands each element of an array member to what the caller makes of it, with the path and the holder so far', () => {
    const seen: [string[], unknown][] = [];
    const json = new JsonAssembler((path, holder) => {
      seen.push([[...path], { ...holder }]);
      return path.join('.') === 'a.list' ? (item) => ({ wrapped: item }) : undefined;
    });
    const text = '{"a":{"kind":"k","list":[1,{"x":[2]},[3]],"other":[4]},"top":[5]}';
    for (let at = 0; at < text.length; at += 5) json.write(Buffer.from(text.slice(at, at + 5)));
    expect(json.end()).toEqual({
      a: { kind: 'k', list: [{ wrapped: 1 }, { wrapped: { x: [2] } }, { wrapped: [3] }], other: [4] },
      top: [5],
    });
    expect(seen).toEqual([
      [['a', 'list'], { kind: 'k' }],
      [['a', 'other'], { kind: 'k', list: [{ wrapped: 1 }, { wrapped: { x: [2] } }, { wrapped: [3] }] }],
      [['top'], { a: expect.anything() }],
    ]);
  });
});
