/**
 * A tiny hand-rolled BSON encoder for test fixtures.
 *
 * js-bson cannot write every type we must prove round-trips (DBPointer,
 * Undefined, NaN with a payload, non-canonical field order with duplicate
 * names...), so fixtures are built byte by byte here from the BSON spec
 * (https://bsonspec.org/spec.html). Values are Buffers of complete elements.
 */

const u8 = (n: number) => Buffer.from([n]);
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const i64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
};
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};
const cstring = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), u8(0)]);
const string = (s: string) => {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([i32(bytes.length + 1), bytes, u8(0)]);
};

/** One BSON element: type byte, key, value bytes. */
export type Element = Buffer;

/** A complete document from elements, in the order given. */
export function doc(...elements: Element[]): Buffer {
  const body = Buffer.concat(elements);
  return Buffer.concat([i32(body.length + 5), body, u8(0)]);
}

const el = (type: number, key: string, value: Buffer): Element =>
  Buffer.concat([u8(type), cstring(key), value]);

/** Element constructors, one per BSON type. */
export const e = {
  /** A double from its exact IEEE-754 bit pattern, so NaN payloads and -0.0 are exact. */
  doubleBits: (key: string, bits: bigint) => el(0x01, key, u64(bits)),
  double: (key: string, value: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    return el(0x01, key, b);
  },
  string: (key: string, value: string) => el(0x02, key, string(value)),
  /** A string element whose bytes are given raw (for invalid or unusual UTF-8). */
  stringBytes: (key: string, bytes: Buffer) =>
    el(0x02, key, Buffer.concat([i32(bytes.length + 1), bytes, u8(0)])),
  document: (key: string, value: Buffer) => el(0x03, key, value),
  /** An array: elements keyed "0", "1", ... */
  array: (key: string, values: ((key: string) => Element)[]) =>
    el(0x04, key, doc(...values.map((v, i) => v(String(i))))),
  binary: (key: string, subtype: number, data: Buffer) =>
    el(0x05, key, Buffer.concat([i32(data.length), u8(subtype), data])),
  /** Subtype 2 (old binary) carries a second int32 length inside its payload. */
  binaryOld: (key: string, data: Buffer) =>
    el(0x05, key, Buffer.concat([i32(data.length + 4), u8(2), i32(data.length), data])),
  undefined: (key: string) => el(0x06, key, Buffer.alloc(0)),
  objectId: (key: string, hex: string) => el(0x07, key, Buffer.from(hex, 'hex')),
  bool: (key: string, value: boolean) => el(0x08, key, u8(value ? 1 : 0)),
  date: (key: string, ms: bigint) => el(0x09, key, i64(ms)),
  null: (key: string) => el(0x0a, key, Buffer.alloc(0)),
  regex: (key: string, pattern: string, flags: string) =>
    el(0x0b, key, Buffer.concat([cstring(pattern), cstring(flags)])),
  dbPointer: (key: string, ns: string, oidHex: string) =>
    el(0x0c, key, Buffer.concat([string(ns), Buffer.from(oidHex, 'hex')])),
  code: (key: string, code: string) => el(0x0d, key, string(code)),
  symbol: (key: string, value: string) => el(0x0e, key, string(value)),
  codeWithScope: (key: string, code: string, scope: Buffer) => {
    const body = Buffer.concat([string(code), scope]);
    return el(0x0f, key, Buffer.concat([i32(body.length + 4), body]));
  },
  int32: (key: string, value: number) => el(0x10, key, i32(value)),
  /** Timestamp: increment then seconds, as the spec lays them out. */
  timestamp: (key: string, seconds: number, increment: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(increment, 0);
    b.writeUInt32LE(seconds, 4);
    return el(0x11, key, b);
  },
  int64: (key: string, value: bigint) => el(0x12, key, i64(value)),
  /** Decimal128 from its 16 little-endian bytes given as hex (low word first). */
  decimal128Hex: (key: string, hexLE: string) => el(0x13, key, Buffer.from(hexLE, 'hex')),
  minKey: (key: string) => el(0xff, key, Buffer.alloc(0)),
  maxKey: (key: string) => el(0x7f, key, Buffer.alloc(0)),
};
