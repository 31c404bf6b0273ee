import { Decimal128 } from 'bson';
import type { MongoFeature } from '../../support/mongo.js';
import { doc, type Element, e } from './bson-builder.js';

/**
 * Every BSON type (and the awkward values of each) that a MongoDB backup must
 * carry through unchanged. Each case is one document `{_id: <int32 n>, ...}`
 * built byte by byte, so the test compares exact bytes. `_id` comes first
 * because MongoDB moves it to the front on insert.
 *
 * `needs` names the server capability the case depends on (see
 * mongoCapabilities in test/support/mongo.ts): when the server lacks it the
 * server-level test skips the case and prints why; the stream-level test
 * never skips anything.
 */
export interface BsonCase {
  name: string;
  /** Elements after `_id`. */
  elements: Element[];
  needs?: Capability;
}

/**
 * A probed server feature (test/support/mongo-probe.ts), or a BSON type the
 * probe cannot write through js-bson and that FerretDB is known to refuse
 * (it drops the connection: "unsupported tag DBPointer/Undefined").
 */
export type Capability = MongoFeature | 'dbPointer' | 'undefined';

const dec = (s: string) => Buffer.from(Decimal128.fromString(s).bytes).toString('hex');
const oid = '65a1b2c3d4e5f60718293a4b';
const scope = doc(e.int32('x', 1), e.string('y', 'scope'));

export const BSON_CASES: BsonCase[] = [
  {
    name: 'double',
    elements: [e.double('v', 1.5), e.double('max', Number.MAX_VALUE), e.double('tiny', 5e-324)],
  },
  { name: 'double -0.0', elements: [e.doubleBits('v', 0x8000000000000000n)], needs: 'negativeZero' },
  { name: 'double NaN', elements: [e.doubleBits('v', 0x7ff8000000000000n)], needs: 'nan' },
  {
    name: 'double NaN with payload and sign',
    elements: [e.doubleBits('v', 0xfff8000000000001n)],
    needs: 'nan',
  },
  {
    name: 'double ±Infinity',
    elements: [e.double('pos', Number.POSITIVE_INFINITY), e.double('neg', Number.NEGATIVE_INFINITY)],
    needs: 'infinity',
  },
  {
    name: 'string: empty, NUL inside, non-ASCII',
    elements: [
      e.string('empty', ''),
      e.string('nul', 'a\u0000b'),
      e.string('utf8', 'héllo wörld 世界 🎉 \u200b'),
    ],
  },
  {
    name: 'document: nested and empty',
    elements: [
      e.document('v', doc(e.document('a', doc(e.document('b', doc(e.int32('c', 1))))))),
      e.document('empty', doc()),
    ],
  },
  {
    name: 'array: flat, empty, of documents',
    elements: [
      e.array('v', [
        (k) => e.int32(k, 1),
        (k) => e.string(k, 'two'),
        (k) => e.document(k, doc(e.int32('three', 3))),
      ]),
      e.array('empty', []),
    ],
  },
  {
    name: 'array: nested',
    elements: [
      e.array('v', [
        (k) => e.array(k, [(k2) => e.int32(k2, 1), (k2) => e.int32(k2, 2)]),
        (k) => e.array(k, [(k2) => e.array(k2, [(k3) => e.int32(k3, 3)])]),
      ]),
    ],
    needs: 'nestedArrays',
  },
  {
    name: 'binary: generic, function, UUID, MD5, user-defined, empty',
    elements: [
      e.binary('generic', 0x00, Buffer.from([0, 1, 2, 255])),
      e.binary('function', 0x01, Buffer.from('fn')),
      e.binary('uuid', 0x04, Buffer.from('0123456789abcdef0123456789abcdef', 'hex')),
      e.binary('md5', 0x05, Buffer.from('d41d8cd98f00b204e9800998ecf8427e', 'hex')),
      e.binary('user', 0x80, Buffer.from('custom')),
      e.binary('empty', 0x00, Buffer.alloc(0)),
    ],
  },
  {
    name: 'binary: old binary, old UUID, encrypted, column, sensitive, vector',
    elements: [
      e.binaryOld('old', Buffer.from('legacy')),
      e.binary('oldUuid', 0x03, Buffer.from('00112233445566778899aabbccddeeff', 'hex')),
      e.binary('encrypted', 0x06, Buffer.from([0x01, 0x02, 0x03])),
      e.binary('column', 0x07, Buffer.from([0x00])),
      e.binary('sensitive', 0x08, Buffer.from('secret')),
      // Vector, dtype int8 (0x03), padding 0, two values.
      e.binary('vector', 0x09, Buffer.from([0x03, 0x00, 0x01, 0xff])),
    ],
  },
  { name: 'objectId', elements: [e.objectId('v', oid)] },
  { name: 'boolean', elements: [e.bool('t', true), e.bool('f', false)] },
  {
    name: 'date: epoch, before 1970, far future, extremes',
    elements: [
      e.date('epoch', 0n),
      e.date('old', -2208988800000n), // 1900-01-01
      e.date('future', 253402300799999n), // 9999-12-31T23:59:59.999Z
      e.date('max', 9223372036854775807n),
      e.date('min', -9223372036854775808n),
    ],
  },
  { name: 'null', elements: [e.null('v')] },
  {
    name: 'regex with every flag',
    elements: [e.regex('v', '^a.*b[\\d]+$', 'imsux'), e.regex('none', 'x', ''), e.regex('slash', 'a/b', 'i')],
  },
  { name: 'DBPointer', elements: [e.dbPointer('v', 'db.coll', oid)], needs: 'dbPointer' },
  { name: 'JavaScript code', elements: [e.code('v', 'function () { return 1; }')], needs: 'javascript' },
  { name: 'symbol', elements: [e.symbol('v', 'sym')], needs: 'symbol' },
  {
    name: 'code with scope',
    elements: [e.codeWithScope('v', 'function () { return x; }', scope)],
    needs: 'javascriptWithScope',
  },
  {
    name: 'int32: zero, -1, extremes',
    elements: [
      e.int32('zero', 0),
      e.int32('neg', -1),
      e.int32('max', 2147483647),
      e.int32('min', -2147483648),
    ],
  },
  {
    // Timestamp(0, 0) in a top-level field is replaced by the server on insert, so it sits nested.
    name: 'timestamp',
    elements: [
      e.timestamp('v', 1700000000, 7),
      e.document('nested', doc(e.timestamp('zero', 0, 0), e.timestamp('max', 0xffffffff, 0xffffffff))),
    ],
  },
  {
    name: 'int64: zero, -1, extremes',
    elements: [
      e.int64('zero', 0n),
      e.int64('neg', -1n),
      e.int64('max', 9223372036854775807n),
      e.int64('min', -9223372036854775808n),
    ],
  },
  {
    name: 'decimal128',
    elements: [
      e.decimal128Hex('v', dec('1.50')),
      e.decimal128Hex('negZero', dec('-0')),
      e.decimal128Hex('nan', dec('NaN')),
      e.decimal128Hex('inf', dec('-Infinity')),
      e.decimal128Hex('big', dec('9.999999999999999999999999999999999E+6144')),
    ],
    needs: 'decimal128',
  },
  { name: 'MinKey and MaxKey', elements: [e.minKey('min'), e.maxKey('max')], needs: 'minMaxKey' },
  { name: 'undefined', elements: [e.undefined('v')], needs: 'undefined' },
  {
    name: 'DBRef (plain document) with extra field',
    elements: [
      e.document(
        'v',
        doc(e.string('$ref', 'coll'), e.objectId('$id', oid), e.string('$db', 'other'), e.int32('extra', 1)),
      ),
    ],
    needs: 'dbRef',
  },
  {
    name: 'field order kept',
    elements: [
      e.int32('z', 1),
      e.int32('a', 2),
      e.int32('m', 3),
      e.document('n', doc(e.int32('y', 1), e.int32('b', 2))),
    ],
  },
  {
    name: 'dotted field names',
    elements: [e.int32('a.b', 1), e.document('c', doc(e.int32('d.e', 2)))],
    needs: 'dottedFieldNames',
  },
  {
    name: '$-prefixed field names',
    elements: [e.int32('$x', 1), e.document('c', doc(e.int32('$y', 2)))],
    needs: 'dollarFieldNames',
  },
];

/** The full document of case `index` (its `_id` is the index). */
export function caseDocument(index: number): Buffer {
  const c = BSON_CASES[index]!;
  return doc(e.int32('_id', index), ...c.elements);
}

/**
 * One document holding every case's elements (or those of the cases `keep`
 * accepts), each case as a sub-document, with `_id` 1000.
 */
export function everythingDocument(keep: (c: BsonCase) => boolean = () => true): Buffer {
  return doc(
    e.int32('_id', 1000),
    ...BSON_CASES.flatMap((c, i) => (keep(c) ? [e.document(`case${i}`, doc(...c.elements))] : [])),
  );
}

/**
 * A document of exactly `size` bytes (`{_id, pad: <binary>}`), e.g. the
 * 16 MiB maximum MongoDB accepts.
 */
export function documentOfSize(id: number, size: number): Buffer {
  // Overhead: 4 (length) + _id int32 element (1+4+4) + pad element header (1+4) + binary header (4+1) + 1 (NUL).
  const overhead = 4 + 9 + 5 + 5 + 1;
  const payload = Buffer.alloc(size - overhead, 0x61);
  const out = doc(e.int32('_id', id), e.binary('pad', 0, payload));
  if (out.length !== size) throw new Error(`documentOfSize: built ${out.length}, wanted ${size}`);
  return out;
}
