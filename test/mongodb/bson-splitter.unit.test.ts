import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BsonStreamError, splitBson, splitBsonRuns } from '../../src/engines/mongodb/bson-splitter.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { BSON_CASES, caseDocument, documentOfSize, everythingDocument } from './support/bson-cases.js';

// Stream-level fidelity: raw BSON in → engine stream → split → the same bytes
// out, for every BSON type, with no server involved (so nothing is skipped).

/** Feeds `bytes` in chunks of the given sizes (cycled), like an archive reader would. */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return Readable.from(chunks);
}

async function split(source: Readable, maxDocumentBytes?: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const doc of splitBson(source, {
    streamName: 'test.stream',
    ...(maxDocumentBytes ? { maxDocumentBytes } : {}),
  })) {
    out.push(Buffer.from(doc));
  }
  return out;
}

const allCases = () => [...BSON_CASES.map((_, i) => caseDocument(i)), everythingDocument()];

describe('bson splitter: every BSON type survives byte for byte', () => {
  it.each(BSON_CASES.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const doc = caseDocument(index);
    expect(await split(Readable.from([doc]))).toEqual([doc]);
  });

  it('all types in one stream, at many chunk sizes', async () => {
    const docs = allCases();
    const stream = Buffer.concat(docs);
    for (const sizes of [
      [1],
      [2],
      [3],
      [4],
      [5],
      [7, 1, 13],
      [64],
      [4096],
      [stream.length],
      [3, 1000, 1, 2, 5000],
    ]) {
      const out = await split(chunked(stream, sizes));
      expect(out.length, `chunk sizes ${sizes}`).toBe(docs.length);
      out.forEach((d, i) => {
        expect(d.equals(docs[i]!), `doc ${i}, chunk sizes ${sizes}`).toBe(true);
      });
    }
  });

  it('through an engine stream (writer set → reader set)', async () => {
    const docs = allCases();
    const mem = new MemoryStreams();
    const writer = mem.open('db.coll');
    for (const d of docs) writer.write(d);
    writer.itemCount = docs.length;
    await new Promise<void>((resolve) => writer.end(resolve));
    const out = await split(mem.reader().open('db.coll'));
    expect(Buffer.concat(out).equals(Buffer.concat(docs))).toBe(true);
    expect(mem.list()[0]!.items).toBe(docs.length);
  });

  it('16 MiB documents (the MongoDB maximum) and just over it', async () => {
    const big = documentOfSize(1, 16 * 1024 * 1024);
    const bigger = documentOfSize(2, 16 * 1024 * 1024 + 1);
    const small = caseDocument(0);
    const out = await split(chunked(Buffer.concat([small, big, small, bigger]), [1024 * 1024 + 3]));
    expect(out.map((d) => d.length)).toEqual([small.length, big.length, small.length, bigger.length]);
    expect(out[1]!.equals(big)).toBe(true);
    expect(out[3]!.equals(bigger)).toBe(true);
  });

  it('an empty stream yields no documents', async () => {
    expect(await split(Readable.from([]))).toEqual([]);
  });

  it('the empty document {}', async () => {
    const empty = Buffer.from([5, 0, 0, 0, 0]);
    expect(await split(chunked(Buffer.concat([empty, empty]), [1]))).toEqual([empty, empty]);
  });
});

describe('bson splitter: bad input', () => {
  const good = Buffer.concat([caseDocument(0), caseDocument(1)]);

  it('a stream cut anywhere inside a document says where and how much is missing', async () => {
    for (let cut = 1; cut < good.length; cut++) {
      if (cut === caseDocument(0).length) continue; // a clean document boundary
      const error = await split(chunked(good.subarray(0, cut), [3])).catch((e: unknown) => e);
      expect(error, `cut at ${cut}`).toBeInstanceOf(BsonStreamError);
      expect((error as Error).message).toMatch(
        /^stream test\.stream is not valid BSON at byte \d+: stream ends inside a document \(\d+ of \d+ bytes present\)$/,
      );
    }
  });

  it('a length prefix below 5', async () => {
    const bad = Buffer.from([4, 0, 0, 0]);
    await expect(split(Readable.from([Buffer.concat([caseDocument(0), bad])]))).rejects.toThrow(
      `stream test.stream is not valid BSON at byte ${caseDocument(0).length}: document length 4 is below the minimum of 5`,
    );
  });

  it('a negative or huge length prefix', async () => {
    await expect(split(Readable.from([Buffer.from([0xff, 0xff, 0xff, 0xff, 0])]))).rejects.toThrow(
      /length -1 is below/,
    );
    await expect(split(Readable.from([Buffer.from([0, 0, 0, 0x7f, 0])]))).rejects.toThrow(
      /exceeds the limit of 67108864/,
    );
  });

  it('a document that does not end with NUL', async () => {
    const doc = Buffer.from(caseDocument(0));
    doc[doc.length - 1] = 1;
    await expect(split(Readable.from([doc]))).rejects.toThrow('document does not end with a NUL byte');
  });

  it('a custom size limit', async () => {
    await expect(split(Readable.from([caseDocument(0)]), 8)).rejects.toThrow(/exceeds the limit of 8/);
  });

  it('errors are StowageErrors with a hint', async () => {
    const error = (await split(Readable.from([Buffer.from([1, 0, 0, 0])])).catch(
      (e: unknown) => e,
    )) as BsonStreamError;
    expect(error.code).toBe('bson-stream');
    expect(error.hint).toMatch(/restore from another backup/);
  });
});

describe('bson splitter: runs of documents (the restore path)', () => {
  it('one run per chunk, holding the documents that chunk completes, in order', async () => {
    const docs = allCases();
    const stream = Buffer.concat(docs);
    for (const sizes of [[1], [7, 1, 13], [4096], [stream.length], [3, 1000, 1, 2, 5000]]) {
      const runs: Buffer[][] = [];
      for await (const run of splitBsonRuns(chunked(stream, sizes), { streamName: 'test.stream' }))
        runs.push(run.map((d) => Buffer.from(d)));
      expect(runs.every((run) => run.length > 0)).toBe(true);
      expect(runs.flat(), `chunk sizes ${sizes}`).toEqual(docs);
    }
    const whole: Buffer[][] = [];
    for await (const run of splitBsonRuns(Readable.from([stream]), { streamName: 'test.stream' }))
      whole.push(run);
    expect(whole.length).toBe(1);
  });

  it('a damaged chunk yields the documents before the damage, then throws', async () => {
    const docs = allCases().slice(0, 3);
    const bad = Buffer.from([3, 0, 0, 0]); // a length prefix below 5
    const seen: Buffer[] = [];
    const read = async () => {
      for await (const run of splitBsonRuns(Readable.from([Buffer.concat([...docs, bad])]), {
        streamName: 'test.stream',
      }))
        seen.push(...run);
    };
    await expect(read()).rejects.toBeInstanceOf(BsonStreamError);
    expect(seen).toEqual(docs);
  });
});
