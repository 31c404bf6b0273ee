// The COPY stream parsers against real server output: binary COPY of every
// built-in type and text COPY, cut into chunks at every possible place.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryCopyParser, type BinaryTuple } from '../../src/engines/postgres/copy-binary.js';
import { CopyOut } from '../../src/engines/postgres/copy-out.js';
import { parseTextRow, TextCopyParser } from '../../src/engines/postgres/copy-text.js';
import { createBackupSocket } from '../../src/engines/postgres/socket-feed.js';
import { StowageError } from '../../src/errors.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { loadFixtures } from './support.js';

async function copyOut(url: string, sql: string): Promise<Buffer> {
  return withPgClient(url, async (client) => {
    const chunks: Buffer[] = [];
    await pipeline(
      client.query(copyTo(sql)),
      new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk);
          cb();
        },
      }),
    );
    return Buffer.concat(chunks);
  });
}

function decodeBinary(data: Buffer, cuts: number[]): BinaryTuple[] {
  const tuples: BinaryTuple[] = [];
  // Copy fields out: views into chunks are only valid while the chunk lives.
  const parser = new BinaryCopyParser((t) => tuples.push(t.map((f) => (f ? Buffer.from(f) : null))));
  let start = 0;
  for (const cut of [...cuts, data.length]) {
    parser.push(data.subarray(start, cut));
    start = cut;
  }
  parser.finish();
  if (parser.rows !== tuples.length) throw new Error('row count differs from tuples decoded');
  return tuples;
}

describe('COPY stream parsers', () => {
  let db: TestPgDatabase;
  let binary: Buffer;
  let text: Buffer;

  beforeAll(async () => {
    db = await createPgDatabase('pg_copyfmt');
    await loadFixtures(db.url, ['02-types']);
    binary = await copyOut(db.url, 'COPY types.all_types TO STDOUT (FORMAT binary)');
    text = await copyOut(db.url, 'COPY types.all_types TO STDOUT');
  });
  afterAll(() => db?.drop());

  /**
   * A sink that copies each chunk only when it acknowledges it, a few event-loop
   * turns later: a reader that reused a buffer before the acknowledgement would
   * show up as corrupt bytes.
   */
  function lateSink(): { sink: Writable; data: () => Buffer } {
    const chunks: Buffer[] = [];
    let n = 0;
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _e, cb) {
        const later = () => {
          chunks.push(Buffer.from(chunk));
          cb();
        };
        if (n++ % 3 === 0) setTimeout(later, 1);
        else setImmediate(later);
      },
    });
    return { sink, data: () => Buffer.concat(chunks) };
  }

  // Backup sessions read into reusable buffers; TLS and foreign clients go through stream reads.
  const sockets = [
    ['reusable read buffers', { stream: createBackupSocket as unknown as pg.ClientConfig['stream'] }],
    ['stream reads', {}],
  ] as const;

  it.each(sockets)(
    'reads COPY TO STDOUT with the same bytes as pg-copy-streams, counting rows from the protocol (%s)',
    async (_kind, config) => {
      await withPgClient(db.url, (c) =>
        c.query(`CREATE TABLE IF NOT EXISTS public.many AS SELECT i, md5(i::text) AS h FROM generate_series(1, 50000) i;
               CREATE TABLE IF NOT EXISTS public.none (a int); CREATE TABLE IF NOT EXISTS public.nocols ();
               INSERT INTO public.nocols SELECT WHERE NOT EXISTS (SELECT FROM public.nocols);`),
      );
      for (const [sql, binary, rows] of [
        ['COPY public.many TO STDOUT (FORMAT binary)', true, 50000],
        ['COPY public.many TO STDOUT', false, 50000],
        ['COPY public.none TO STDOUT (FORMAT binary)', true, 0],
        ['COPY public.nocols TO STDOUT (FORMAT binary)', true, 1],
        ['COPY types.all_types TO STDOUT (FORMAT binary)', true, 3],
      ] as const) {
        const expected = await copyOut(db.url, sql);
        const got = await withPgClient(
          db.url,
          async (client) => {
            let ended = -1;
            const { sink, data } = lateSink();
            const copy = new CopyOut(sql, binary, sink, (n) => {
              ended = n;
            });
            client.query(copy);
            await copy.done;
            await copy.settled;
            // The connection is usable afterwards.
            const { rows: after } = await client.query('SELECT 1 AS one');
            return { data: data(), rows: copy.rows, ended, server: copy.commandRows, after };
          },
          config,
        );
        expect(got.data.equals(expected), sql).toBe(true);
        expect([got.rows, got.ended, got.server]).toEqual([rows, rows, rows]);
        expect(got.after).toEqual([{ one: 1 }]);
      }
    },
  );

  it.each(sockets)(
    'reports a failing COPY as an error and leaves the connection usable (%s)',
    async (_kind, config) => {
      await withPgClient(
        db.url,
        async (client) => {
          const { sink } = lateSink();
          const copy = new CopyOut('COPY public.missing_table TO STDOUT (FORMAT binary)', true, sink);
          client.query(copy);
          await expect(copy.done).rejects.toThrow(/does not exist/);
          const { rows } = await client.query('SELECT 2 AS two');
          expect(rows).toEqual([{ two: 2 }]);
        },
        config,
      );
    },
  );

  it('decodes binary COPY identically wherever the chunks are cut', () => {
    const whole = decodeBinary(binary, []);
    expect(whole).toHaveLength(3);
    expect(whole[2]?.slice(1).every((f) => f === null)).toBe(true);
    const key = (tuples: BinaryTuple[]) =>
      tuples.map((t) => t.map((f) => (f ? f.toString('hex') : 'null')).join(',')).join(';');
    const expected = key(whole);
    const mismatched: number[] = [];
    for (let cut = 1; cut < binary.length; cut++) {
      if (key(decodeBinary(binary, [cut])) !== expected) mismatched.push(cut);
    }
    expect(mismatched).toEqual([]);
    const everyByte = Array.from({ length: binary.length - 1 }, (_, i) => i + 1);
    expect(decodeBinary(binary, everyByte)).toEqual(whole);
  });

  it('counts binary rows without decoding, across chunk cuts', () => {
    for (let cut = 1; cut < binary.length; cut += 7) {
      const parser = new BinaryCopyParser();
      parser.push(binary.subarray(0, cut));
      parser.push(binary.subarray(cut));
      parser.finish();
      expect(parser.rows).toBe(3);
    }
  });

  it('rejects truncated, extended and foreign binary data', () => {
    const truncated = new BinaryCopyParser();
    truncated.push(binary.subarray(0, binary.length - 2));
    expect(() => truncated.finish()).toThrow(StowageError);
    expect(() => new BinaryCopyParser().push(Buffer.concat([binary, Buffer.from([0, 1])]))).toThrow(
      /after the end-of-data marker/,
    );
    expect(() => new BinaryCopyParser().push(Buffer.from('not a copy stream at all'))).toThrow(
      /bad signature/,
    );
    const bad = Buffer.from(binary);
    bad.writeInt16BE(-7, 19); // first tuple's field count
    expect(() => new BinaryCopyParser().push(bad)).toThrow(/negative field count/);
  });

  it('splits and unescapes text COPY rows wherever the chunks are cut', () => {
    const rows = (cuts: number[]) => {
      const out: (string | null)[][] = [];
      const parser = new TextCopyParser((r) => out.push(r));
      let start = 0;
      for (const cut of [...cuts, text.length]) {
        parser.push(text.subarray(start, cut));
        start = cut;
      }
      parser.finish('t');
      expect(parser.rows).toBe(out.length);
      return out;
    };
    const whole = rows([]);
    expect(whole).toHaveLength(3);
    expect(whole[0]?.[9]).toBe("tab\there, newline\nthere, backslash \\ quote ' and unicode ✓ 😀");
    expect(whole[2]?.slice(1).every((f) => f === null)).toBe(true);
    for (let cut = 1; cut < text.length; cut += 3) expect(rows([cut])).toEqual(whole);
  });

  it('parses escapes the way COPY FROM does', () => {
    expect(parseTextRow('a\\tb\t\\N\t\\\\N\t\\x41\\101\\r\\n')).toEqual(['a\tb', null, '\\N', 'AA\r\n']);
    const partial = new TextCopyParser();
    partial.push(Buffer.from('1\t2\n3\t'));
    expect(() => partial.finish('t')).toThrow(/incomplete/);
  });
});

describe('CopyOut message stripping', () => {
  /** Protocol bytes of a binary COPY as a server sends them: one CopyData per row, then CopyDone. */
  function wire(rows: Buffer[]): { bytes: Buffer; payload: Buffer } {
    const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
    const trailer = Buffer.from([0xff, 0xff]);
    // The header travels with the first row, as the server does it.
    const payloads = [Buffer.concat([header, rows[0] as Buffer]), ...rows.slice(1), trailer];
    const frame = (type: number, body: Buffer) => {
      const h = Buffer.alloc(5);
      h[0] = type;
      h.writeUInt32BE(body.length + 4, 1);
      return Buffer.concat([h, body]);
    };
    // A NoticeResponse in the middle: skipped, not copied.
    const notice = frame(0x4e, Buffer.from('SNOTICE\0Mhello\0\0', 'latin1'));
    const parts = payloads.map((p) => frame(0x64, p));
    parts.splice(Math.min(2, parts.length), 0, notice);
    return {
      bytes: Buffer.concat([...parts, frame(0x63, Buffer.alloc(0))]),
      payload: Buffer.concat(payloads),
    };
  }

  async function run(bytes: Buffer, cuts: number[]): Promise<{ data: Buffer; rows: number; error?: Error }> {
    const out: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(Buffer.from(chunk));
        cb();
      },
    });
    const copy = new CopyOut('COPY t TO STDOUT (FORMAT binary)', true, sink);
    const feed = (copy as unknown as { onChunk(c: Buffer, release: () => void): void }).onChunk.bind(copy);
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      // Each chunk is a buffer of its own, as a socket read is.
      feed(Buffer.from(bytes.subarray(at, cut)), () => {});
      at = cut;
    }
    const error = await copy.done.then(
      () => undefined,
      (e: Error) => e,
    );
    return { data: Buffer.concat(out), rows: copy.rows, ...(error ? { error } : {}) };
  }

  const rows = [3, 1, 0, 40, 2].map((n, i) => Buffer.alloc(n + 2, 65 + i));

  it('gives the payload and the row count wherever the socket cuts the stream, once or twice', async () => {
    const { bytes, payload } = wire(rows);
    for (let a = 1; a < bytes.length; a++) {
      const one = await run(bytes, [a]);
      expect(one.error, `cut at ${a}`).toBeUndefined();
      expect(one.data.equals(payload), `cut at ${a}`).toBe(true);
      expect(one.rows).toBe(rows.length);
      for (let b = a + 1; b < bytes.length; b += 3) {
        const two = await run(bytes, [a, b]);
        expect(two.error, `cuts at ${a}, ${b}`).toBeUndefined();
        expect(two.data.equals(payload), `cuts at ${a}, ${b}`).toBe(true);
      }
    }
    // Byte by byte: every chunk's output is at most one byte, so the trailer is pieced together across chunks.
    const bytewise = await run(
      bytes,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    );
    expect(bytewise.error).toBeUndefined();
    expect(bytewise.data.equals(payload)).toBe(true);
  });

  it('refuses a stream that ends without the binary trailer', async () => {
    const { bytes } = wire(rows);
    // Drop the trailer's CopyData (7 bytes before CopyDone's 5).
    const cut = Buffer.concat([bytes.subarray(0, bytes.length - 12), bytes.subarray(bytes.length - 5)]);
    const result = await run(cut, [10]);
    expect(result.error?.message).toMatch(/end-of-data marker/);
  });
});
