import { StowageError } from '../../../errors.js';

/**
 * Decoder of the `pgoutput` logical replication messages, protocol version 1
 * (PostgreSQL 10+; "Logical Replication Message Formats" in the server
 * manual). Column values stay as the server's text output: replay hands them
 * back to the same types' input functions, so nothing is lost in between.
 */

/** One column value of a row: its text, SQL NULL, or (updates only) "unchanged TOASTed value, keep the old one". */
export type TupleValue = string | null | typeof UNCHANGED_TOAST;

/** Marks a TOASTed column an UPDATE did not touch: the server does not resend it. */
export const UNCHANGED_TOAST = 0;

export interface RelationColumn {
  name: string;
  /** Part of the replica identity (primary key, identity index, or every column with FULL). */
  key: boolean;
  typeOid: number;
  typmod: number;
}

export interface RelationMessage {
  tag: 'relation';
  relationId: number;
  schema: string;
  name: string;
  /** `pg_class.relreplident`: d default (primary key), n nothing, f full, i index. */
  replicaIdentity: string;
  columns: RelationColumn[];
}

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; flags: number; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'origin'; lsn: bigint; name: string }
  | RelationMessage
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationId: number; new: TupleValue[] }
  | {
      tag: 'update';
      relationId: number;
      /** The old replica identity columns ('K'), when the key changed; other columns are null. */
      key?: TupleValue[];
      /** The whole old row ('O'), with REPLICA IDENTITY FULL. */
      old?: TupleValue[];
      new: TupleValue[];
    }
  | { tag: 'delete'; relationId: number; key?: TupleValue[]; old?: TupleValue[] }
  | { tag: 'truncate'; relationIds: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Buffer };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one message; throws a StowageError when the bytes are not what protocol 1 sends. */
export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = r.byte();
  let message: PgoutputMessage;
  switch (tag) {
    case 0x42: // B
      message = { tag: 'begin', finalLsn: r.int64(), commitTime: r.int64(), xid: r.uint32() };
      break;
    case 0x43: // C
      message = {
        tag: 'commit',
        flags: r.byte(),
        commitLsn: r.int64(),
        endLsn: r.int64(),
        commitTime: r.int64(),
      };
      break;
    case 0x4f: // O
      message = { tag: 'origin', lsn: r.int64(), name: r.cstring() };
      break;
    case 0x52: {
      // R
      const relationId = r.uint32();
      const schema = r.cstring();
      const name = r.cstring();
      const replicaIdentity = String.fromCharCode(r.byte());
      const count = r.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const flags = r.byte();
        columns.push({ key: (flags & 1) === 1, name: r.cstring(), typeOid: r.uint32(), typmod: r.int32() });
      }
      message = { tag: 'relation', relationId, schema, name, replicaIdentity, columns };
      break;
    }
    case 0x59: // Y
      message = { tag: 'type', typeOid: r.uint32(), schema: r.cstring(), name: r.cstring() };
      break;
    case 0x49: {
      // I
      const relationId = r.uint32();
      r.expect(0x4e, 'N');
      message = { tag: 'insert', relationId, new: r.tuple() };
      break;
    }
    case 0x55: {
      // U
      const relationId = r.uint32();
      let kind = r.byte();
      let key: TupleValue[] | undefined;
      let old: TupleValue[] | undefined;
      if (kind === 0x4b) key = r.tuple();
      else if (kind === 0x4f) old = r.tuple();
      if (key || old) kind = r.byte();
      if (kind !== 0x4e) throw r.bad(`update without its new row ('${String.fromCharCode(kind)}')`);
      message = {
        tag: 'update',
        relationId,
        ...(key ? { key } : {}),
        ...(old ? { old } : {}),
        new: r.tuple(),
      };
      break;
    }
    case 0x44: {
      // D
      const relationId = r.uint32();
      const kind = r.byte();
      if (kind === 0x4b) message = { tag: 'delete', relationId, key: r.tuple() };
      else if (kind === 0x4f) message = { tag: 'delete', relationId, old: r.tuple() };
      else throw r.bad(`delete without its old row ('${String.fromCharCode(kind)}')`);
      break;
    }
    case 0x54: {
      // T
      const count = r.uint32();
      const options = r.byte();
      const relationIds: number[] = [];
      for (let i = 0; i < count; i++) relationIds.push(r.uint32());
      message = {
        tag: 'truncate',
        relationIds,
        cascade: (options & 1) !== 0,
        restartIdentity: (options & 2) !== 0,
      };
      break;
    }
    case 0x4d: {
      // M (logical decoding message, sent only when asked for)
      const flags = r.byte();
      const lsn = r.int64();
      const prefix = r.cstring();
      const length = r.uint32();
      message = { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content: r.bytes(length) };
      break;
    }
    default:
      throw r.bad(`unknown message '${String.fromCharCode(tag)}' (0x${tag.toString(16)})`);
  }
  if (!r.done) throw r.bad(`${buf.length - r.offset} unread bytes after a '${message.tag}' message`);
  return message;
}

class Reader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.offset === this.buf.length;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw this.bad('message cut short');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.offset++] as number;
  }

  expect(byte: number, what: string): void {
    const got = this.byte();
    if (got !== byte) throw this.bad(`expected '${what}', got '${String.fromCharCode(got)}'`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw this.bad('unterminated string');
    const v = utf8.decode(this.buf.subarray(this.offset, end));
    this.offset = end + 1;
    return v;
  }

  tuple(): TupleValue[] {
    const count = this.int16();
    const values: TupleValue[] = [];
    for (let i = 0; i < count; i++) {
      const kind = this.byte();
      if (kind === 0x6e)
        values.push(null); // n
      else if (kind === 0x75)
        values.push(UNCHANGED_TOAST); // u
      else if (kind === 0x74)
        values.push(utf8.decode(this.bytes(this.uint32()))); // t
      else throw this.bad(`unknown column kind '${String.fromCharCode(kind)}' (binary mode is not used)`);
    }
    return values;
  }

  bad(what: string): StowageError {
    return new StowageError(
      'pg-error',
      `unreadable logical replication message: ${what}`,
      'the server sent something pgoutput protocol 1 does not: report it with the server version',
    );
  }
}
