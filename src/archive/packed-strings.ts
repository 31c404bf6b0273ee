import { FillingPiece } from './filling-piece.js';
import { grown } from './grown-array.js';

/** Raw bytes per piece: small enough that a piece unpacked for one entry costs microseconds. */
const PIECE_SIZE = 32 * 1024;

/**
 * Unpacked pieces kept (1 MiB): readers go through the entries nearly in order, but several
 * passes at once (a restore's parallel post-data batches, its ownership step).
 */
const CACHED_PIECES = 32;

/**
 * Groups of string lists kept outside V8's heap, each group behind an entry
 * number (a list of a group may be absent, which reads back as `undefined`):
 * their UTF-8 text, in pieces compressed on their own once full (packed-pieces.ts), and read back
 * through a few unpacked pieces. A restore keeps its schema's statements this
 * way (engines/postgres/packed-object.ts): at 20,000 tables they were ~20 MB of
 * strings and ~300,000 arrays in the heap, whose size V8 then nearly doubles
 * as room to grow (docs/BENCHMARKS.md, sessions 14–16); packed they are ~2 MB
 * of buffers.
 *
 * An entry lies whole in one piece (one longer than a piece gets a piece of its
 * own), so reading it unpacks one piece at most. Entries are only added, never
 * changed: a changed list is a new entry.
 */
export class PackedStrings {
  /** Pieces packed once full, behind the one being filled. */
  private readonly piece: FillingPiece;
  /** Per entry: its piece and its offset there. */
  private pieceOf = new Uint32Array(1024);
  private offsetOf = new Uint32Array(1024);
  private count = 0;

  constructor(pieceSize = PIECE_SIZE, cachedPieces = CACHED_PIECES) {
    this.piece = new FillingPiece(pieceSize, cachedPieces);
  }

  /** Pieces unpacked so far (a reader out of order shows here). */
  get unpacked(): number {
    return this.piece.pieces.unpackCount;
  }

  /** Entries added. */
  get size(): number {
    return this.count;
  }

  /** Bytes held outside the heap: packed pieces, the piece being filled, the unpacked ones kept. */
  get bytes(): number {
    return this.piece.heldBytes + this.pieceOf.byteLength + this.offsetOf.byteLength;
  }

  /** Adds the group `lists` and gives its entry number. */
  add(lists: readonly (readonly string[] | undefined)[]): number {
    let size = varintSize(lists.length);
    for (const list of lists) {
      size += varintSize(list ? list.length + 1 : 0);
      for (let i = 0; list && i < list.length; i++) {
        const length = Buffer.byteLength(list[i] as string, 'utf8');
        size += varintSize(length) + length;
      }
    }
    const piece = this.piece;
    if (piece.filled + size > piece.capacity) {
      piece.seal();
      // One larger than a piece is a piece of its own.
      if (size > piece.pieceSize) piece.enlarge(size);
    }
    const entry = this.count++;
    if (entry === this.pieceOf.length) {
      this.pieceOf = grown(this.pieceOf, this.pieceOf.length * 2);
      this.offsetOf = grown(this.offsetOf, this.offsetOf.length * 2);
    }
    this.pieceOf[entry] = piece.pieces.count;
    this.offsetOf[entry] = piece.filled;
    const buffer = piece.bytes;
    let at = writeVarint(buffer, piece.filled, lists.length);
    for (const list of lists) {
      // A list's length is written one more, so that 0 says "absent".
      at = writeVarint(buffer, at, list ? list.length + 1 : 0);
      for (let i = 0; list && i < list.length; i++) {
        const text = list[i] as string;
        const start = writeVarint(buffer, at, Buffer.byteLength(text, 'utf8'));
        at = start + buffer.write(text, start, 'utf8');
      }
    }
    piece.filled = at;
    if (piece.capacity > piece.pieceSize) piece.seal();
    return entry;
  }

  /** List `which` of the group added as `entry`, as new strings in a new array; undefined where it was absent. */
  get(entry: number, which: number): string[] | undefined {
    if (!(entry >= 0 && entry < this.count)) throw new RangeError(`no packed entry ${entry}`);
    const raw = this.piece.read(this.pieceOf[entry] as number);
    const lists = readVarint(raw, this.offsetOf[entry] as number);
    if (!(which >= 0 && which < lists)) throw new RangeError(`packed entry ${entry} has no list ${which}`);
    let at = afterVarint;
    // The lists before `which` are skipped over by their lengths.
    for (let l = 0; l < which; l++) {
      const count = readVarint(raw, at) - 1;
      at = afterVarint;
      for (let i = 0; i < count; i++) {
        const length = readVarint(raw, at);
        at = afterVarint + length;
      }
    }
    const count = readVarint(raw, at) - 1;
    if (count < 0) return undefined;
    at = afterVarint;
    const list = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const length = readVarint(raw, at);
      list[i] = raw.toString('utf8', afterVarint, afterVarint + length);
      at = afterVarint + length;
    }
    return list;
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** `n` as 7 bits a byte, low first; gives the offset after it. */
function writeVarint(buffer: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buffer[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buffer[at++] = n;
  return at;
}

/** Where the varint {@link readVarint} read last ends (no pair allocated per read). */
let afterVarint = 0;

function readVarint(buffer: Buffer, at: number): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const byte = buffer[at++] as number;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      afterVarint = at;
      return n;
    }
    scale *= 0x80;
  }
}
