import { BSON, BSONRegExp, Decimal128, Double, Int32, Long, Timestamp } from 'bson';
import { describe, expect, it } from 'vitest';
import { indexesToBuild, orderViews } from '../../src/engines/mongodb/ddl.js';
import {
  EXACT_BSON_OPTIONS,
  fromEjson,
  parseMongoSchema,
  toEjson,
} from '../../src/engines/mongodb/schema.js';

describe('schema values as canonical Extended JSON', () => {
  it('keeps exact BSON types through JSON text', () => {
    const original = {
      validator: {
        $and: [
          { a: { $gt: new Int32(5) } },
          { b: { $lt: new Double(5) } },
          { c: { $gte: Long.fromString('9007199254740993') } },
        ],
      },
      re: new BSONRegExp('^x', 'imsx'),
      dec: Decimal128.fromString('1.10'),
      ts: new Timestamp({ t: 5, i: 6 }),
      date: new Date(-1),
      negZero: new Double(-0),
    };
    // As the server would send it, read with the engine's exact options.
    const bytes = BSON.serialize(original);
    const read = BSON.deserialize(bytes, EXACT_BSON_OPTIONS);
    const json = JSON.parse(JSON.stringify(toEjson(read)));
    const back = fromEjson(json);
    expect(Buffer.from(BSON.serialize(back)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('parseMongoSchema', () => {
  const minimal = {
    engine: 'mongodb',
    version: 1,
    server: { version: '7.0', topology: 'standalone' },
    databases: [],
  };

  it('accepts what the engine writes', () => {
    expect(parseMongoSchema(minimal).databases).toEqual([]);
  });

  it('refuses a PostgreSQL archive with a clear message', () => {
    expect(() => parseMongoSchema({ engine: 'postgres', sections: [] })).toThrow(
      'this archive is a postgres backup and cannot be restored into MongoDB',
    );
    expect(() => parseMongoSchema(undefined)).toThrow(
      'this archive is not a MongoDB backup and cannot be restored into MongoDB',
    );
  });

  it('refuses unknown versions and malformed sections', () => {
    expect(() => parseMongoSchema({ ...minimal, version: 2 })).toThrow(
      /has version 2, which this stowage does not know/,
    );
    expect(() => parseMongoSchema({ ...minimal, databases: [{ name: 'x' }] })).toThrow(
      /malformed at databases\.0\.collections/,
    );
  });
});

describe('index specs for rebuild', () => {
  it('skips _id and clustered indexes, drops ns and the default v', () => {
    const specs = [
      { v: { $numberInt: '2' }, key: { _id: { $numberInt: '1' } }, name: '_id_' },
      { v: { $numberInt: '2' }, key: { a: { $numberInt: '1' } }, name: 'a_1', ns: 'db.c', unique: true },
      { v: { $numberInt: '1' }, key: { b: { $numberInt: '-1' } }, name: 'b_-1' },
      {
        v: { $numberInt: '2' },
        key: { _id: { $numberInt: '1' } },
        name: 'clu',
        clustered: true,
        unique: true,
      },
    ];
    const out = indexesToBuild(specs);
    expect(out.map((s) => s.name)).toEqual(['a_1', 'b_-1']);
    expect(out[0]).not.toHaveProperty('ns');
    expect(out[0]).not.toHaveProperty('v');
    expect(out[1]!.v).toEqual(new Int32(1));
    expect(out[0]!.key.a).toEqual(new Int32(1));
  });
});

describe('view order', () => {
  it('puts every view after the view it reads from', () => {
    const views = [
      { name: 'c', viewOn: 'b' },
      { name: 'b', viewOn: 'a' },
      { name: 'a', viewOn: 'coll' },
      { name: 'd', viewOn: 'coll' },
    ];
    expect(orderViews(views).map((v) => v.name)).toEqual(['a', 'b', 'c', 'd']);
  });
});
