import type { ItemSplitter } from '../plugin.js';

const PGCOPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Cuts a COPY data stream into rows, binary or text (told apart by the
 * binary format's signature), for order-independent content digests.
 */
export class CopyRowSplitter implements ItemSplitter {
  private rest: Buffer = Buffer.alloc(0);
  private format: 'pgcopy-binary' | 'pgcopy-text' | undefined;
  private headerDone = false;
  private ended = false;

  constructor(private readonly onItem: (item: Buffer) => void) {}

  push(chunk: Buffer): void {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    if (!this.format) {
      // Enough bytes to tell binary COPY from text (or a stream that is shorter than the signature).
      if (buf.length < PGCOPY_SIGNATURE.length) {
        this.rest = Buffer.from(buf);
        return;
      }
      this.format = formatOf(buf);
    }
    const used = this.format === 'pgcopy-binary' ? this.parseBinary(buf) : this.parseText(buf);
    this.rest = used < buf.length ? Buffer.from(buf.subarray(used)) : Buffer.alloc(0);
  }

  end(): string | undefined {
    if (!this.format && this.rest.length) this.format = formatOf(this.rest);
    if (this.format === 'pgcopy-text' && this.rest.length) {
      // A last line without its newline.
      this.onItem(this.rest);
      this.rest = Buffer.alloc(0);
    }
    return this.rest.length
      ? `${this.rest.length} trailing bytes form no whole ${this.format} item`
      : undefined;
  }

  private parseText(buf: Buffer): number {
    let at = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, at);
      if (nl < 0) return at;
      // COPY text escapes newlines inside values, so a raw newline always ends a row.
      this.onItem(buf.subarray(at, nl + 1));
      at = nl + 1;
    }
  }

  private parseBinary(buf: Buffer): number {
    let at = 0;
    if (!this.headerDone) {
      const fixed = PGCOPY_SIGNATURE.length + 8;
      if (buf.length < fixed) return 0;
      const extension = buf.readUInt32BE(PGCOPY_SIGNATURE.length + 4);
      if (buf.length < fixed + extension) return 0;
      at = fixed + extension;
      this.headerDone = true;
    }
    while (!this.ended && buf.length - at >= 2) {
      const fields = buf.readInt16BE(at);
      if (fields === -1) {
        this.ended = true;
        return at + 2;
      }
      let p = at + 2;
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (buf.length - p < 4) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        if (len > 0) {
          if (buf.length - p < len) {
            complete = false;
            break;
          }
          p += len;
        }
      }
      if (!complete) break;
      this.onItem(buf.subarray(at, p));
      at = p;
    }
    return at;
  }
}

function formatOf(head: Buffer): 'pgcopy-binary' | 'pgcopy-text' {
  return head.subarray(0, PGCOPY_SIGNATURE.length).equals(PGCOPY_SIGNATURE) ? 'pgcopy-binary' : 'pgcopy-text';
}
