import { describe, expect, it } from 'vitest';
import { jsonPieceBytes } from '../../src/archive/json-pieces.js';
import { PackedJson, unpackOnRead } from '../../src/archive/packed-json.js';

/** Schema-like objects: long enough for many pieces, with text that is not ASCII. */
function objects(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `table:public.t${i}`,
    sql: [`CREATE TABLE public."é😀${i}" (id integer, note text DEFAULT '${'x'.repeat(i % 300)}')`],
    drop: i % 2 ? undefined : `DROP TABLE public.t${i}`,
    deps: i ? [`table:public.t${i - 1}`] : [],
  }));
}

const text = (value: unknown, reuse = false) =>
  Buffer.concat(Array.from(jsonPieceBytes(value, 1024, reuse), (piece) => Buffer.from(piece))).toString(
    'utf8',
  );

describe('PackedJson', () => {
  it('leaves a list of fewer items than the threshold as it is', () => {
    const list = objects(10);
    expect(PackedJson.pack(list, 11)).toBe(list);
    expect(PackedJson.pack(list, 10)).toBeInstanceOf(PackedJson);
    expect(PackedJson.pack(undefined, 0)).toBeUndefined();
  });

  it('writes the same JSON text as the value it was packed from, inside a larger document', () => {
    const list = objects(5000);
    const packed = PackedJson.pack(list, 0);
    expect(packed).toBeInstanceOf(PackedJson);
    expect((packed as PackedJson).packedBytes).toBeLessThan(JSON.stringify(list).length / 4);
    const document = {
      before: 'a',
      schema: { format: 'x', objects: packed, tables: [1, 2] },
      list: [packed, 3],
    };
    const expected = JSON.stringify({
      before: 'a',
      schema: { format: 'x', objects: list, tables: [1, 2] },
      list: [list, 3],
    });
    expect(text(document)).toBe(expected);
    expect(text(document, true)).toBe(expected);
    // Anything else that serializes it (JSON.stringify, a printed manifest) gets the same text.
    expect(JSON.stringify(document)).toBe(expected);
    expect((packed as PackedJson).value()).toEqual(JSON.parse(JSON.stringify(list)));
  });
});

describe('unpackOnRead', () => {
  it('reads a packed property as its value, once unpacked, and leaves the others', () => {
    const list = objects(100);
    const record: Record<string, unknown> = { format: 'x', objects: PackedJson.pack(list, 0), tables: [] };
    unpackOnRead(record);
    expect(Object.keys(record)).toEqual(['format', 'objects', 'tables']);
    const first = record.objects;
    expect(first).toEqual(JSON.parse(JSON.stringify(list)));
    expect(record.objects).toBe(first);
    record.objects = [];
    expect(record.objects).toEqual([]);
  });
});
