// pg gets a read's whole messages as a view of a read buffer that is filled again at once
// (socket-feed.ts, message-framing.ts): pg's own parser must read every message as it would
// from fresh copies, however the reads cut them.
import { Parser } from 'pg-protocol/dist/parser.js';
import { describe, expect, it } from 'vitest';
import { handOver, MessageFraming } from '../../src/engines/postgres/message-framing.js';

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function dataRow(fields: string[]): Buffer {
  const parts = [Buffer.from([fields.length >> 8, fields.length & 0xff])];
  for (const f of fields) {
    const bytes = Buffer.from(f);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return message('D', Buffer.concat(parts));
}

/** A stream of backend messages: rows short and long (longer than a read), some CopyData when asked. */
function stream(seed: number, copyData: boolean): Buffer {
  let x = seed;
  const next = (m: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % m;
  };
  const parts: Buffer[] = [];
  for (let i = 0; i < 400; i++) {
    const kind = next(10);
    if (kind === 0) parts.push(message('C', Buffer.from('SELECT 1\0')));
    else if (kind === 1) parts.push(message('Z', Buffer.from('T')));
    else if (kind === 2 && copyData)
      parts.push(message('d', Buffer.from(`copy ${i} é`.repeat(1 + next(50)))));
    else if (kind === 3) parts.push(dataRow([`long ${i} `.repeat(500 + next(3000))]));
    else parts.push(dataRow([`row ${i}`, 'é😀'.repeat(next(40)), '']));
  }
  return Buffer.concat(parts);
}

/** What pg's parser makes of `bytes`, given in reads of the sizes `sizes` gives, into one reused buffer. */
function parsed(bytes: Buffer, sizes: () => number): string[] {
  const out: string[] = [];
  const parser = new Parser();
  const framing = new MessageFraming();
  const reused = Buffer.alloc(Math.max(8192, bytes.length));
  for (let at = 0; at < bytes.length; ) {
    const n = Math.min(sizes(), bytes.length - at, reused.length);
    bytes.copy(reused, 0, at, at + n);
    // Each message read as it comes, as pg's users read them (a CopyData's slice is of pg's own
    // buffer, which pg fills again).
    handOver(framing, reused, n, (piece) => parser.parse(piece, (m) => out.push(JSON.stringify(m))));
    // The next read overwrites the buffer: anything pg kept of it would read this.
    reused.fill(0xee);
    at += n;
  }
  return out;
}

describe('reads handed to pg by message boundaries', () => {
  for (const copyData of [false, true]) {
    it(`parse as fresh copies do${copyData ? ', CopyData included' : ''}`, () => {
      const bytes = stream(copyData ? 7 : 3, copyData);
      const expected = parsed(Buffer.from(bytes), () => bytes.length);
      expect(expected.length).toBe(400);
      let x = 11;
      const random = () => {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        return 1 + (x % 9000);
      };
      for (const sizes of [() => 1, () => 3, () => 5, () => 7, () => 4096, () => 8192, random])
        expect(parsed(bytes, sizes)).toEqual(expected);
    });
  }
});
