import type { ItemSplitter } from '../plugin.js';

/**
 * Cuts a collection stream (concatenated BSON documents) into documents, for
 * order-independent content digests. Unlike bson-splitter.ts, which feeds a
 * restore from a Readable, it takes chunks as they come and never throws at
 * the end: leftover bytes are reported as a problem.
 */
export class BsonDocumentSplitter implements ItemSplitter {
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly onItem: (item: Buffer) => void) {}

  push(chunk: Buffer): void {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 4) {
      const len = buf.readInt32LE(at);
      if (len < 5) throw new Error(`invalid BSON document length ${len}`);
      if (buf.length - at < len) break;
      this.onItem(buf.subarray(at, at + len));
      at += len;
    }
    this.rest = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
  }

  end(): string | undefined {
    return this.rest.length ? `${this.rest.length} trailing bytes form no whole bson item` : undefined;
  }
}
