// The pgoutput decoder and the transaction assembler, on messages captured from a real
// PostgreSQL 15 (capture-pgoutput.ts): values, NULLs, unchanged TOAST, key changes, FULL
// identity, TRUNCATE, and how a changed relation ends the chain.
import { describe, expect, it } from 'vitest';
import { ChainBroken } from '../../src/engines/engine.js';
import { type FollowedTables, RelationCheck } from '../../src/engines/postgres/follow/followed-tables.js';
import { compareLsn, formatLsn, lsnValue } from '../../src/engines/postgres/follow/lsn.js';
import {
  decodePgoutput,
  type PgoutputMessage,
  type RelationMessage,
  UNCHANGED_TOAST,
} from '../../src/engines/postgres/follow/pgoutput.js';
import { TransactionAssembler } from '../../src/engines/postgres/follow/transaction-assembler.js';
import { NameFilter } from '../../src/engines/postgres/patterns.js';
import { StowageError } from '../../src/errors.js';
import { CAPTURED_PGOUTPUT } from './pgoutput-captured.js';

const raw = CAPTURED_PGOUTPUT.map((h) => Buffer.from(h, 'hex'));
const messages = raw.map(decodePgoutput);
/** Each relation once (the stream describes `t` and `f` again before the TRUNCATE). */
const relations = [
  ...new Map(
    messages.filter((m): m is RelationMessage => m.tag === 'relation').map((r) => [r.relationId, r]),
  ).values(),
];
const t = relations.find((r) => r.name === 't') as RelationMessage;
const f = relations.find((r) => r.name === 'f') as RelationMessage;

/** Followed tables as the base would have recorded them for these relations. */
function followedFrom(rels: RelationMessage[]): FollowedTables {
  return {
    v: 1,
    tables: rels.map((r) => ({
      oid: r.relationId,
      schema: r.schema,
      name: r.name,
      followed: true,
      columns: r.columns.map((c) => [c.name, c.typeOid, c.typmod] as [string, number, number]),
    })),
    sequences: [],
  };
}

describe('pgoutput decoder (captured from PostgreSQL 15)', () => {
  it('reads relations with their replica identity and column types', () => {
    expect(t.schema).toBe('public');
    expect(t.replicaIdentity).toBe('d');
    expect(t.columns.map((c) => [c.name, c.key, c.typeOid])).toEqual([
      ['id', true, 23],
      ['s', false, 25],
      ['b', false, 17],
      ['a', false, 1007],
      ['m', false, t.columns[4]?.typeOid],
      ['big', false, 25],
    ]);
    const enumType = messages.find((m) => m.tag === 'type');
    expect(enumType).toMatchObject({
      tag: 'type',
      schema: 'public',
      name: 'mood',
      typeOid: t.columns[4]?.typeOid,
    });
    expect(f.replicaIdentity).toBe('f');
    expect(f.columns.every((c) => c.key)).toBe(true);
  });

  it('reads rows as the server text of each value, NULLs apart', () => {
    const inserts = messages.filter((m) => m.tag === 'insert' && m.relationId === t.relationId);
    expect(inserts[0]).toMatchObject({ new: ['1', 'é "q"', '\\x00ff', '{1,NULL}', 'ok', 'z'.repeat(3000)] });
    expect(inserts[1]).toMatchObject({ new: ['2', null, null, null, null, null] });
  });

  it('marks a TOASTed value an update left alone, and carries the old key when the key changed', () => {
    const updates = messages.filter((m) => m.tag === 'update' && m.relationId === t.relationId);
    expect(updates[0]).toEqual({
      tag: 'update',
      relationId: t.relationId,
      new: ['1', 'new', '\\x00ff', '{1,NULL}', 'ok', UNCHANGED_TOAST],
    });
    expect(updates[1]).toMatchObject({
      key: ['2', null, null, null, null, null],
      new: ['3', null, null, null, null, null],
    });
    expect(messages.find((m) => m.tag === 'delete' && m.relationId === t.relationId)).toMatchObject({
      key: ['3', null, null, null, null, null],
    });
  });

  it('gives the whole old row with REPLICA IDENTITY FULL', () => {
    expect(messages.find((m) => m.tag === 'update' && m.relationId === f.relationId)).toMatchObject({
      old: ['1', 'a'],
      new: ['1', 'b'],
    });
    expect(messages.find((m) => m.tag === 'delete' && m.relationId === f.relationId)).toMatchObject({
      old: ['1', 'b'],
    });
  });

  it('reads TRUNCATE with its relations and options', () => {
    expect(messages.find((m) => m.tag === 'truncate')).toEqual({
      tag: 'truncate',
      relationIds: [t.relationId, f.relationId],
      cascade: false,
      restartIdentity: true,
    });
  });

  it('reads begin and commit in LSN order, with commit times', () => {
    const commits = messages.filter(
      (m): m is Extract<PgoutputMessage, { tag: 'commit' }> => m.tag === 'commit',
    );
    expect(commits.length).toBe(6);
    for (let i = 1; i < commits.length; i++)
      expect((commits[i] as { endLsn: bigint }).endLsn).toBeGreaterThan(
        (commits[i - 1] as { endLsn: bigint }).endLsn,
      );
    const begin = messages[0] as Extract<PgoutputMessage, { tag: 'begin' }>;
    expect(begin.tag).toBe('begin');
    expect(begin.finalLsn).toBe(commits[0]?.commitLsn);
    expect(begin.commitTime).toBe(commits[0]?.commitTime);
  });

  it('refuses bytes it cannot read instead of guessing', () => {
    const insert = raw[3] as Buffer;
    expect(() => decodePgoutput(insert.subarray(0, insert.length - 5))).toThrow(StowageError);
    expect(() => decodePgoutput(Buffer.concat([insert, Buffer.from([0])]))).toThrow(/unread bytes/);
    expect(() => decodePgoutput(Buffer.from('Z'))).toThrow(/unknown message/);
  });
});

describe('transaction assembler', () => {
  const assemble = (check: RelationCheck) => {
    const assembler = new TransactionAssembler(check);
    return messages.flatMap((m, i) => assembler.push(m, (raw[i] as Buffer).length) ?? []);
  };

  it('groups whole transactions, each with the relations it uses', () => {
    const txs = assemble(new RelationCheck(followedFrom(relations), new NameFilter({})));
    expect(txs.length).toBe(6);
    expect(txs.map((x) => x.payload.changes.map((c) => c.op))).toEqual([
      ['insert', 'insert'],
      ['update'],
      ['update'],
      ['delete'],
      ['insert', 'update', 'delete'],
      ['truncate'],
    ]);
    // A transaction after the one that described `t` still describes it: payloads stand alone.
    expect(txs[3]?.payload.relations.map((r) => r.name)).toEqual(['t']);
    expect(txs.map((x) => x.position)).toEqual([...txs.map((x) => x.position)].sort(compareLsn));
    expect(formatLsn(txs[0]?.endLsn as bigint)).toBe(txs[0]?.position);
  });

  it('leaves out tables outside the selection', () => {
    const reference = followedFrom(relations);
    (reference.tables.find((x) => x.name === 'f') as { followed: boolean }).followed = false;
    const txs = assemble(new RelationCheck(reference, new NameFilter({ excludeTables: ['f'] })));
    expect(txs.map((x) => x.payload.changes.map((c) => c.op))).toEqual([
      ['insert', 'insert'],
      ['update'],
      ['update'],
      ['delete'],
      ['truncate'],
    ]);
    expect(txs[4]?.payload.changes[0]).toMatchObject({ rels: [t.relationId] });
  });

  it('ends the chain when a relation differs from the base, or is new and selected', () => {
    const altered = followedFrom(relations);
    (altered.tables[0] as { columns: unknown[] }).columns.pop();
    expect(() => assemble(new RelationCheck(altered, new NameFilter({})))).toThrow(ChainBroken);
    const without = followedFrom([f]);
    expect(() => assemble(new RelationCheck(without, new NameFilter({})))).toThrow(/created after the base/);
    // Not selected: ignored, not a break.
    expect(assemble(new RelationCheck(without, new NameFilter({ excludeTables: ['t'] }))).length).toBe(2);
  });
});

describe('LSN', () => {
  it('orders and prints positions the way the server does', () => {
    expect(compareLsn('16/B374D848', '16/B374D849')).toBeLessThan(0);
    expect(compareLsn('A/0', '9/FFFFFFFF')).toBeGreaterThan(0);
    expect(formatLsn(lsnValue('0016/00b374d8'))).toBe('16/B374D8');
    expect(() => lsnValue('16-B374')).toThrow(StowageError);
  });
});
