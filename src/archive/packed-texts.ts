import { FillingPiece } from './filling-piece.js';

/** Raw bytes per piece unless told: every piece but the last holds exactly this many, so a position names its piece. */
const PIECE_SIZE = 64 * 1024;

/** Pieces kept unpacked for reading unless told: a run of texts read in order revisits the few pieces it left. */
const UNPACKED_KEPT = 4;

/**
 * Many texts kept as UTF-8, one after another, compressed in pieces of 64 KiB outside V8's
 * heap (packed-pieces.ts), each read back by the position and length {@link PackedTexts.add}
 * gave. A backup of thousands of tables keeps each schema object's statements so from
 * the moment its reader builds it to the footer (20,000 tables: ~40 MiB of JSON, ~18 MB
 * of it strings and 300,000 arrays on the heap, ~4 MiB packed), while ordering works on
 * the few fields it needs.
 *
 * Reading is fastest in about the order of adding: the pieces read last are kept unpacked.
 * Texts read in another order each unpack a piece: smaller pieces make that cheaper, at some
 * of the packing's ratio.
 */
export class PackedTexts {
  /** The piece being filled: the texts' bytes from `pieces.count × pieceSize` on, the packed ones before it. */
  private readonly filling: FillingPiece;

  constructor(
    private readonly pieceSize = PIECE_SIZE,
    unpackedKept = UNPACKED_KEPT,
  ) {
    this.filling = new FillingPiece(pieceSize, unpackedKept);
  }

  /** Bytes added so far: where the next text starts. */
  get size(): number {
    return this.filling.pieces.count * this.pieceSize + this.filling.filled;
  }

  /** Bytes held: the packed pieces, the unpacked ones kept and the one being filled. */
  get packedBytes(): number {
    return this.filling.heldBytes;
  }

  /** Adds `text` as UTF-8 at {@link size}; returns its length in bytes. */
  add(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that is room enough to write it in place.
    const filling = this.filling;
    if (text.length * 3 <= this.pieceSize - filling.filled) {
      const written = filling.bytes.write(text, filling.filled, 'utf8');
      filling.filled += written;
      if (filling.filled === this.pieceSize) filling.seal();
      return written;
    }
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; ) {
      const copied = bytes.copy(filling.bytes, filling.filled, at);
      filling.filled += copied;
      at += copied;
      if (filling.filled === this.pieceSize) filling.seal();
    }
    return bytes.length;
  }

  /**
   * The bytes of `length` from `at`, as parts in order (one, unless the text spans pieces).
   * A part is valid until the next one is asked for, or the next read.
   */
  *bytes(at: number, length: number): Generator<Buffer> {
    for (let end = at + length; at < end; ) {
      const piece = Math.floor(at / this.pieceSize);
      const from = at - piece * this.pieceSize;
      const to = Math.min(this.pieceSize, end - piece * this.pieceSize);
      yield this.filling.read(piece).subarray(from, to);
      at += to - from;
    }
  }

  /** The text of `length` bytes from `at`. */
  text(at: number, length: number): string {
    if (length <= this.pieceSize - (at % this.pieceSize))
      return this.filling
        .read(Math.floor(at / this.pieceSize))
        .toString('utf8', at % this.pieceSize, (at % this.pieceSize) + length);
    // Each part copied as it comes: a later part may unpack into the buffer an earlier one is in.
    const text = Buffer.allocUnsafe(length);
    let filled = 0;
    for (const part of this.bytes(at, length)) filled += part.copy(text, filled);
    return text.toString('utf8');
  }
}
