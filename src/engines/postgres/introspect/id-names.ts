import { grown } from '../../../archive/grown-array.js';

/**
 * Object ids (`table:public.t`, the ids the readers' deps name) made numbers: each distinct
 * id gets the next number, its text kept once as UTF-8 in one growing buffer and found again
 * through a hash table of typed arrays. With 20,000 tables the catalog's 100,000 ids and as
 * many deps were 200,000 strings (~12 MB of the heap) and 100,000 lists while the backup's
 * heap is at its largest; as numbers they are ~5 MiB outside the heap, and resolving and
 * ordering compare numbers. A text is made again only where one is written (the footer's
 * deps) or a rare step asks for it.
 */
export class IdNames {
  /** The ids' UTF-8 bytes, one after another; name n is `bytes[start[n], start[n + 1])`. */
  private bytes: Buffer;
  private start: Uint32Array;
  private hashes: Uint32Array;
  /** Open addressing: name + 1 at the place its hash leads to (0: free). */
  private table: Int32Array;
  private scratch = Buffer.allocUnsafeSlow(1024);
  /** How many names there are. */
  count = 0;

  /** `expected`: about how many names there will be (the arrays start at that size). */
  constructor(expected = 0) {
    const names = Math.max(1024, expected);
    this.bytes = Buffer.allocUnsafeSlow(names * 32);
    this.start = new Uint32Array(names + 1);
    this.hashes = new Uint32Array(names);
    // A power of two, at least twice the names.
    this.table = new Int32Array(2 ** Math.ceil(Math.log2(names * 2)));
  }

  /** The number of `text`, given it now if it has none. */
  intern(text: string): number {
    const length = this.encode(text);
    const hash = hashOf(this.scratch, length);
    const found = this.find(hash, length);
    if (found >= 0) return found;
    return this.add(hash, length);
  }

  /** The number of `text`, or -1 when it has none. */
  lookup(text: string): number {
    const length = this.encode(text);
    return this.find(hashOf(this.scratch, length), length);
  }

  /** The text of name `n`. */
  text(n: number): string {
    return this.bytes.toString('utf8', this.start[n]!, this.start[n + 1]!);
  }

  /** The length of name `n`'s text in UTF-8 bytes. */
  byteLength(n: number): number {
    return this.start[n + 1]! - this.start[n]!;
  }

  /** Whether name `n`'s text is its own JSON string's content: no quote, backslash or control character. */
  plainInJson(n: number): boolean {
    const { bytes } = this;
    for (let i = this.start[n]!; i < this.start[n + 1]!; i++) {
      const byte = bytes[i]!;
      if (byte < 0x20 || byte === 0x22 || byte === 0x5c) return false;
    }
    return true;
  }

  /** Copies name `n`'s UTF-8 bytes into `target` at `at`; returns how many. */
  copyTo(n: number, target: Buffer, at: number): number {
    return this.bytes.copy(target, at, this.start[n]!, this.start[n + 1]!);
  }

  /** `text` as UTF-8 in `scratch`; returns its length in bytes. */
  private encode(text: string): number {
    if (text.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafeSlow(text.length * 3);
    return this.scratch.write(text, 0, 'utf8');
  }

  private find(hash: number, length: number): number {
    const { table, bytes, start, scratch } = this;
    const mask = table.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = table[at]!;
      if (entry === 0) return -1;
      const n = entry - 1;
      if (this.hashes[n] !== hash) continue;
      const from = start[n]!;
      if (start[n + 1]! - from !== length) continue;
      let same = true;
      for (let i = 0; i < length && same; i++) same = bytes[from + i] === scratch[i];
      if (same) return n;
    }
  }

  private add(hash: number, length: number): number {
    const n = this.count++;
    if (this.count + 1 > this.start.length) this.start = grown(this.start, this.start.length * 2);
    if (this.count > this.hashes.length) this.hashes = grown(this.hashes, this.hashes.length * 2);
    const from = this.start[n]!;
    if (from + length > this.bytes.length) {
      const bytes = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, from + length));
      this.bytes.copy(bytes, 0, 0, from);
      this.bytes = bytes;
    }
    this.scratch.copy(this.bytes, from, 0, length);
    this.start[n + 1] = from + length;
    this.hashes[n] = hash;
    // At most half full: probes stay short.
    if (this.count * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.place(n);
    return n;
  }

  private place(n: number): void {
    const { table } = this;
    const mask = table.length - 1;
    let at = this.hashes[n]! & mask;
    while (table[at] !== 0) at = (at + 1) & mask;
    table[at] = n + 1;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    for (let n = 0; n < this.count; n++) this.place(n);
  }
}

/** FNV-1a over the first `length` bytes. */
function hashOf(bytes: Uint8Array, length: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}
