import { PackedPieces } from './packed-pieces.js';

/**
 * The piece being filled in front of a {@link PackedPieces}: bytes are written
 * into it in place, and it is packed as the next piece once its owner seals it.
 * It reads back as the piece it will become, so an owner reads its pieces by
 * number without caring which are packed yet (packed-strings.ts, packed-texts.ts).
 */
export class FillingPiece {
  /** The pieces packed so far; this one becomes piece number `pieces.count`. */
  readonly pieces: PackedPieces;
  private buffer: Buffer;
  /** Bytes written so far, from the buffer's start. */
  filled = 0;

  /**
   * @param pieceSize the size a piece is filled to
   * @param keptUnpacked pieces kept unpacked for reading again (see {@link PackedPieces})
   */
  constructor(
    readonly pieceSize: number,
    keptUnpacked: number,
  ) {
    this.pieces = new PackedPieces(keptUnpacked);
    this.buffer = Buffer.allocUnsafeSlow(pieceSize);
  }

  /** Where bytes are written: valid until the next {@link seal} or {@link enlarge}. */
  get bytes(): Buffer {
    return this.buffer;
  }

  /** Bytes this piece holds: a piece's size, or more after {@link enlarge}. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Bytes held outside the heap: the packed pieces, the unpacked ones kept, and this one. */
  get heldBytes(): number {
    return this.pieces.bytes + this.buffer.length;
  }

  /**
   * Makes this (empty) piece `size` bytes long, for one entry larger than a piece that must lie
   * whole in one; sealing it goes back to pieces of the usual size.
   */
  enlarge(size: number): void {
    if (this.filled !== 0) throw new Error('only an empty piece is enlarged');
    this.buffer = Buffer.allocUnsafeSlow(size);
  }

  /** Packs what was written (if anything) as the next piece, and starts filling the one after. */
  seal(): void {
    if (this.filled === 0) return;
    this.pieces.add(this.buffer.subarray(0, this.filled));
    if (this.buffer.length > this.pieceSize) this.buffer = Buffer.allocUnsafeSlow(this.pieceSize);
    this.filled = 0;
  }

  /** Piece `n`'s bytes, this one's (what is written so far) included; valid as {@link PackedPieces.read} says. */
  read(n: number): Buffer {
    return n === this.pieces.count ? this.buffer.subarray(0, this.filled) : this.pieces.read(n);
  }
}
